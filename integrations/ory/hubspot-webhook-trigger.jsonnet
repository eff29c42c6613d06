// Ory registration webhook -> HubSpot workflow "When a webhook is received" (variant A in README.md).
//
// Ory binds the flow, the request and, after a registration, the new identity into `ctx`
// (https://www.ory.sh/docs/guides/integrate-with-ory-cloud-through-webhooks, "Customizing request body with Jsonnet").
// The body is flat JSON: HubSpot's webhook trigger offers each top-level field to match the contact (email) and to
// map into the signup-onboarding action's input fields of the same names.
//
// `error "cancel"` makes Ory skip the call (same page, "Canceling webhooks"): an identity without an email (a
// phone-only signup) has nothing HubSpot could match a contact on.
function(ctx)
  // Personal mailbox providers: the same list as FREE_MAIL_DOMAINS in actions/signup-onboarding/map.ts (a test
  // keeps them equal). A signup from gmail.com says nothing about the person's employer.
  local freeMail = [
    'gmail.com',
    'googlemail.com',
    'outlook.com',
    'hotmail.com',
    'hotmail.co.uk',
    'hotmail.fr',
    'live.com',
    'live.co.uk',
    'msn.com',
    'yahoo.com',
    'yahoo.co.uk',
    'yahoo.fr',
    'yahoo.de',
    'ymail.com',
    'rocketmail.com',
    'icloud.com',
    'me.com',
    'mac.com',
    'aol.com',
    'proton.me',
    'protonmail.com',
    'pm.me',
    'gmx.com',
    'gmx.de',
    'gmx.net',
    'web.de',
    'mail.com',
    'zoho.com',
    'yandex.com',
    'yandex.ru',
    'mail.ru',
    'qq.com',
    '163.com',
    '126.com',
    'fastmail.com',
    'hey.com',
    'tutanota.com',
    'orange.fr',
    'free.fr',
    'libero.it',
    't-online.de',
    'comcast.net',
    'verizon.net',
    'att.net',
  ];

  local traits = if std.objectHas(ctx.identity, 'traits') && std.isObject(ctx.identity.traits) then ctx.identity.traits else {};
  local get(o, k) = if std.isObject(o) && std.objectHas(o, k) then o[k] else null;
  // Text or nothing: traits are whatever the identity schema allows, so numbers, nulls and objects become "".
  local text(v) = if std.isString(v) then std.stripChars(v, ' \t\r\n') else '';

  // name: { first, last } (Ory's preset schemas) or one string "Ada Lovelace".
  local name = get(traits, 'name');
  local fullName = std.splitLimit(text(name), ' ', 1);
  local firstname = if std.isObject(name) then text(get(name, 'first')) else fullName[0];
  local lastname = if std.isObject(name) then text(get(name, 'last')) else if std.length(fullName) > 1 then text(fullName[1]) else '';

  // company: a string, or { name, domain }.
  local company = get(traits, 'company');
  local companyName = if std.isObject(company) then text(get(company, 'name')) else text(company);

  // A bare host name: "https://www.Acme.io/about" -> "acme.io"; "" when it is not one or is a personal mailbox.
  local afterLast(s, sep) = local parts = std.split(s, sep); parts[std.length(parts) - 1];
  // std.findSubstr, not a multi-character std.split: Jsonnet before 0.20 splits on single characters only.
  local withoutScheme(s) = local at = std.findSubstr('://', s); if std.length(at) == 0 then s else std.substr(s, at[0] + 3, std.length(s) - at[0] - 3);
  local hostOf(s) = std.split(std.split(std.split(std.split(withoutScheme(afterLast(std.asciiLower(s), '@')), '/')[0], '?')[0], '#')[0], ':')[0];
  local withoutWww(h) = if std.startsWith(h, 'www.') && std.length(std.split(h, '.')) > 2 then std.substr(h, 4, std.length(h) - 4) else h;
  local domainOf(s) =
    local h = withoutWww(hostOf(text(s)));
    if std.length(std.split(h, '.')) < 2 || std.member(freeMail, h) then '' else h;
  local domain = std.foldl(
    function(found, candidate) if found != '' then found else domainOf(candidate),
    [get(traits, 'company_domain'), if std.isObject(company) then get(company, 'domain') else null, get(traits, 'website')],
    '',
  );
  local website = text(get(traits, 'website'));
  // HubSpot stores and matches contact emails in lower case.
  local email = std.asciiLower(text(get(traits, 'email')));

  if email == '' then error 'cancel'
  else {
    email: email,
    firstname: firstname,
    lastname: lastname,
    company: companyName,
    // Empty when the signup named no company domain or named a personal mailbox; signup-onboarding then derives it
    // from the website or the email itself, never from a personal mailbox.
    domain: domain,
    website: website,
    // Lets a HubSpot admin trace a contact back to the Ory identity; not used by the action.
    ory_identity_id: ctx.identity.id,
  }

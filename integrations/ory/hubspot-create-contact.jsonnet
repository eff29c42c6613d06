// Ory -> HubSpot: create the contact of a signup whose email is verified (variant A in README.md, the default).
//
// POST https://api.hubapi.com/crm/objects/2026-09/contacts with a HubSpot Service Key that has only
// crm.objects.contacts.write (the scope the 2026-09 Contacts spec requires for this call), sent by Ory's web-hook
// `auth` (api_key in the Authorization header). A *create*, not an upsert: HubSpot refuses it with 409 when a
// contact with this email exists, so a signup's self-reported name, company and website never overwrite what the
// portal already knows about a contact. A new contact gets them; its "Ory identity ID" enrolls it in the workflow
// that runs signup-onboarding. Ory's retries of the same call create nothing twice (the second one is a 409).
//
// Ory binds the flow, the request and the identity into `ctx`
// (https://www.ory.sh/docs/guides/integrate-with-ory-cloud-through-webhooks, "Customizing request body with Jsonnet").
// `error "cancel"` makes Ory skip the call (same page, "Canceling webhooks").
function(ctx)
  // Only a verified email may write to HubSpot: anyone can register with someone else's address. Ory marks the
  // address verified before it runs the after-verification hooks (Kratos selfservice/strategy/code and link,
  // strategy_verification.go: the address is saved as verified, the identity re-read, then the hooks run), so the
  // hook belongs after verification; anywhere else it cancels until the address is verified. Set this to false only
  // if nobody can register with an email they do not control in your project.
  local requireVerifiedEmail = true;

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

  local identity = if std.isObject(ctx) && std.objectHas(ctx, 'identity') && std.isObject(ctx.identity) then ctx.identity else {};
  local traits = if std.objectHas(identity, 'traits') && std.isObject(identity.traits) then identity.traits else {};
  local get(o, k) = if std.isObject(o) && std.objectHas(o, k) then o[k] else null;
  // Text or nothing: traits are whatever the identity schema allows, so numbers, nulls and objects become "".
  local text(v) = if std.isString(v) then std.stripChars(v, ' \t\r\n') else '';

  // HubSpot stores and matches contact emails in lower case.
  local email = std.asciiLower(text(get(traits, 'email')));
  local addresses = if std.isArray(get(identity, 'verifiable_addresses')) then identity.verifiable_addresses else [];
  local verified = std.length([a for a in addresses if std.asciiLower(text(get(a, 'value'))) == email && get(a, 'verified') == true]) > 0;

  // name: { first, last } (Ory's preset schemas) or one string "Ada Lovelace".
  local name = get(traits, 'name');
  local fullName = std.splitLimit(text(name), ' ', 1);
  local firstname = if std.isObject(name) then text(get(name, 'first')) else fullName[0];
  local lastname = if std.isObject(name) then text(get(name, 'last')) else if std.length(fullName) > 1 then text(fullName[1]) else '';

  // company: a string, or { name, domain }.
  local company = get(traits, 'company');
  local companyName = if std.isObject(company) then text(get(company, 'name')) else text(company);

  // The host of a URL or domain ("https://www.Acme.io/about" -> "acme.io"), only to tell a company domain from a
  // personal mailbox: what is sent is the text as the user gave it.
  local afterLast(s, sep) = local parts = std.split(s, sep); parts[std.length(parts) - 1];
  // std.findSubstr, not a multi-character std.split: Jsonnet before 0.20 splits on single characters only.
  local withoutScheme(s) = local at = std.findSubstr('://', s); if std.length(at) == 0 then s else std.substr(s, at[0] + 3, std.length(s) - at[0] - 3);
  local hostOf(s) = std.split(std.split(std.split(std.split(withoutScheme(afterLast(std.asciiLower(s), '@')), '/')[0], '?')[0], '#')[0], ':')[0];
  local withoutWww(h) = if std.startsWith(h, 'www.') && std.length(std.split(h, '.')) > 2 then std.substr(h, 4, std.length(h) - 4) else h;
  local isCompanyDomain(s) = local h = withoutWww(hostOf(s)); std.length(std.split(h, '.')) >= 2 && !std.member(freeMail, h);
  // Website URL: the website trait as given; else the company domain as given (signup-onboarding takes the company
  // domain from Website URL). Never a personal mailbox's domain.
  local website = std.foldl(
    function(found, candidate) if found != '' then found else if isCompanyDomain(text(candidate)) then text(candidate) else '',
    [get(traits, 'website'), get(traits, 'company_domain'), if std.isObject(company) then get(company, 'domain') else null],
    '',
  );

  if email == '' || (requireVerifiedEmail && !verified) then error 'cancel'
  else {
    properties: {
      email: email,
      // Only what the signup gave: a create needs no empty values.
      [if firstname != '' then 'firstname']: firstname,
      [if lastname != '' then 'lastname']: lastname,
      [if companyName != '' then 'company']: companyName,
      [if website != '' then 'website']: website,
      // The custom property whose "is known" enrolls the contact in the signup workflow (README.md).
      ory_identity_id: text(get(identity, 'id')),
    },
    // Required by HubSpot's 2026-09 create schema (SimplePublicObjectInputForCreate: associations and properties),
    // even when empty; the signup workflow makes the company association.
    associations: [],
  }

// Ory registration webhook -> HubSpot CRM contacts batch upsert by email (variant B in README.md): the contact
// exists (created, or updated when the email is known already) before any workflow runs, and a contact-based
// workflow triggered by "Ory identity ID is known" then runs signup-onboarding on it.
//
// POST https://api.hubapi.com/crm/objects/2026-09/contacts/batch/upsert with a HubSpot Service Key
// (crm.objects.contacts.write) in the Authorization header
// (https://developers.hubspot.com/docs/api-reference/latest/crm/objects/contacts/batch/upsert-contacts): an upsert
// keyed by the contact's unique email, so Ory's retries of the same call write the same contact, never a second one.
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
    inputs: [{
      idProperty: 'email',
      id: email,
      properties: {
        email: email,
        // Only what the signup gave: an empty value would blank what HubSpot already knows about an existing contact.
        [if firstname != '' then 'firstname']: firstname,
        [if lastname != '' then 'lastname']: lastname,
        [if companyName != '' then 'company']: companyName,
        // signup-onboarding takes the company domain from Website URL when it has no domain input.
        [if domain != '' then 'website']: domain,
        [if domain == '' && website != '' then 'website']: website,
        // The custom property whose "is known" enrolls the contact in the signup workflow (README.md).
        ory_identity_id: ctx.identity.id,
      },
    }],
  }

// Ory -> HubSpot workflow "When a webhook is received" (variant B in README.md): for portals where the contact
// usually exists before the person signs up (invited users, sales-created contacts).
//
// HubSpot enrolls the contact whose email matches the webhook's `email`; the workflow then runs signup-onboarding
// on that contact's *own* properties. So the body carries only the verified email and the Ory identity id: nothing
// self-reported (names, company, website) can reach an existing contact this way.
//
// Ory binds the flow, the request and the identity into `ctx`
// (https://www.ory.sh/docs/guides/integrate-with-ory-cloud-through-webhooks, "Customizing request body with Jsonnet").
// `error "cancel"` makes Ory skip the call (same page, "Canceling webhooks").
function(ctx)
  // Only a verified email may enroll a contact (see hubspot-create-contact.jsonnet).
  local requireVerifiedEmail = true;

  local identity = if std.isObject(ctx) && std.objectHas(ctx, 'identity') && std.isObject(ctx.identity) then ctx.identity else {};
  local traits = if std.objectHas(identity, 'traits') && std.isObject(identity.traits) then identity.traits else {};
  local get(o, k) = if std.isObject(o) && std.objectHas(o, k) then o[k] else null;
  local text(v) = if std.isString(v) then std.stripChars(v, ' \t\r\n') else '';

  // HubSpot stores and matches contact emails in lower case.
  local email = std.asciiLower(text(get(traits, 'email')));
  local addresses = if std.isArray(get(identity, 'verifiable_addresses')) then identity.verifiable_addresses else [];
  local verified = std.length([a for a in addresses if std.asciiLower(text(get(a, 'value'))) == email && get(a, 'verified') == true]) > 0;

  if email == '' || (requireVerifiedEmail && !verified) then error 'cancel'
  else {
    email: email,
    // Lets a HubSpot admin trace a contact back to the Ory identity; not used by the action.
    ory_identity_id: text(get(identity, 'id')),
  }

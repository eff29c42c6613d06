/**
 * Pure mapping for signup onboarding: which company domain a signup belongs to, and what to write.
 */

/**
 * Personal mailbox providers: a signup from one of these says nothing about the person's employer, so no company
 * is created from it (otherwise every Gmail user would be filed under a "gmail.com" company).
 */
export const FREE_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'hotmail.co.uk', 'hotmail.fr', 'live.com', 'live.co.uk',
  'msn.com', 'yahoo.com', 'yahoo.co.uk', 'yahoo.fr', 'yahoo.de', 'ymail.com', 'rocketmail.com', 'icloud.com', 'me.com',
  'mac.com', 'aol.com', 'proton.me', 'protonmail.com', 'pm.me', 'gmx.com', 'gmx.de', 'gmx.net', 'web.de', 'mail.com',
  'zoho.com', 'yandex.com', 'yandex.ru', 'mail.ru', 'qq.com', '163.com', '126.com', 'fastmail.com', 'hey.com',
  'tutanota.com', 'orange.fr', 'free.fr', 'libero.it', 't-online.de', 'comcast.net', 'verizon.net', 'att.net',
]);

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * A bare, lower-case host name from whatever a form captured: "https://www.Acme.io/about" → "acme.io".
 * Undefined when it cannot be a public domain name (no dot, bad characters, an IP address).
 */
export function normalizeDomain(text: string | undefined): string | undefined {
  if (!text) return undefined;
  let host = text.trim().toLowerCase();
  if (host.includes('@')) host = host.slice(host.lastIndexOf('@') + 1);
  host = host.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/[/?#].*$/, '').replace(/:\d+$/, '').replace(/\.$/, '');
  try {
    // Punycode for internationalised names, as HubSpot stores them.
    host = new URL(`http://${host}`).hostname;
  } catch {
    return undefined;
  }
  // "www." is a web-server prefix, not part of the company's domain — unless nothing else would be left.
  if (/^www\.[^.]+\.[^.]+/.test(host)) host = host.slice(4);
  const labels = host.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels.at(-1) ?? '')) return undefined;
  return host;
}

export function isFreeMailDomain(domain: string): boolean {
  return FREE_MAIL_DOMAINS.has(domain);
}

/**
 * The company domain for a signup: the explicit domain, else the website's, else the email's — never a
 * personal-mail provider's.
 */
export function companyDomainFor(signup: { email: string; domain?: string; website?: string }): string | undefined {
  for (const candidate of [signup.domain, signup.website, signup.email]) {
    const domain = normalizeDomain(candidate);
    if (domain && !isFreeMailDomain(domain)) return domain;
  }
  return undefined;
}

/** Only the values that were given: an update must never blank out what the CRM already knows. */
export function nonEmpty(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== ''));
}

export function contactPropertiesFromSignup(signup: { email: string; firstname?: string; lastname?: string; phone?: string; website?: string; company?: string }): Record<string, string> {
  return nonEmpty({ email: signup.email, firstname: signup.firstname, lastname: signup.lastname, phone: signup.phone, website: signup.website, company: signup.company });
}

export function companyPropertiesFromSignup(domain: string, name: string | undefined, uniqueKeyProperty: string): Record<string, string> {
  return { domain, name: name?.trim() || domain, [uniqueKeyProperty]: domain };
}

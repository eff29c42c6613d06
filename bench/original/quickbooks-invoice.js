/**
 * One of the original snippets this project replaces (hand-written, on @hubspot/api-client and the vendor's SDK),
 * kept verbatim as plain JS for the benchmark (scripts/bench/seed.ts). Every change is the smallest that lets it run, marked `FIX:` with why.
 * Not shipped; not part of the actions.
 */
// Example code snippet for QuickBooks invoice creation
async function createQuickBooksInvoice(dealId, hubspotClient) {
// Initialize QuickBooks client
const OAuthClient = require('intuit-oauth');
const QuickBooks = require('node-quickbooks');
// Set up OAuth client
const oauthClient = new OAuthClient({
clientId: process.env.QUICKBOOKS_CLIENT_ID,
clientSecret: process.env.QUICKBOOKS_CLIENT_SECRET,
environment: 'sandbox', // or 'production'
redirectUri: process.env.QUICKBOOKS_REDIRECT_URI
});
// Get stored tokens
const storedTokens = JSON.parse(process.env.QUICKBOOKS_TOKENS);
// Refresh token if needed
let authResponse = storedTokens;
if (new Date() > new Date(storedTokens.expires_at)) {
authResponse = (await oauthClient.refreshUsingToken(storedTokens.refresh_token)).getJson(); // FIX: intuit-oauth resolves an AuthResponse; the token fields are in getJson(), so `authResponse.access_token` was undefined.
}
// Initialize QuickBooks
const qbo = new QuickBooks(
process.env.QUICKBOOKS_CLIENT_ID,
process.env.QUICKBOOKS_CLIENT_SECRET,
authResponse.access_token,
false, // don't use sandbox (set to true for sandbox)
process.env.QUICKBOOKS_REALM_ID,
false, false, null, '2.0', authResponse.refresh_token // FIX: node-quickbooks defaults to OAuth 1.0a and throws 'tokenSecret not defined' without oauthversion '2.0' (Intuit retired OAuth 1.0a in 2019).
);
// Get deal details from HubSpot
const deal = await hubspotClient.crm.deals.basicApi.getById(
dealId,
['amount', 'dealname', 'closedate', 'dealstage']
);
// Get associated contact
const associatedContacts = await hubspotClient.crm.associations.v4.basicApi.getPage( // FIX: crm.deals.associationsApi does not exist in @hubspot/api-client v14 (TypeError); v4 getPage is the closest call.
'deals',
dealId,
'contacts'
);
if (!associatedContacts.results || associatedContacts.results.length === 0) {
throw new Error('No contact associated with this deal');
}
const contactId = associatedContacts.results[0].toObjectId; // FIX: v4 association results name the record toObjectId.
const contact = await hubspotClient.crm.contacts.basicApi.getById(
contactId,
['email', 'firstname', 'lastname', 'company', 'address', 'city', 'state', 'zip']
);
// Find or create customer in QuickBooks
let customer;
try {
const customers = await new Promise((resolve, reject) => {
qbo.findCustomers([
{ field: 'PrimaryEmailAddr', value: contact.properties.email }
], (err, customers) => {
if (err) reject(err);
else resolve(customers.QueryResponse.Customer || []);
});
});
if (customers.length > 0) {
customer = customers[0];
} else {
// Create new customer
customer = await new Promise((resolve, reject) => {
qbo.createCustomer({
DisplayName: `${contact.properties.firstname} ${contact.properties.lastname}`,
PrimaryEmailAddr: {
Address: contact.properties.email
},
GivenName: contact.properties.firstname,
FamilyName: contact.properties.lastname,
CompanyName: contact.properties.company,
BillAddr: {
Line1: contact.properties.address,
City: contact.properties.city,
CountrySubDivisionCode: contact.properties.state,
PostalCode: contact.properties.zip
}
}, (err, newCustomer) => {
if (err) reject(err);
else resolve(newCustomer);
});
});
}
// Create invoice
const invoice = await new Promise((resolve, reject) => {
qbo.createInvoice({
CustomerRef: {
value: customer.Id
},
TxnDate: new Date().toISOString().split('T')[0],
Line: [
{
Amount: deal.properties.amount,
Description: deal.properties.dealname,
DetailType: 'SalesItemLineDetail',
SalesItemLineDetail: {
ItemRef: {
value: '1' // Default item, would be customized in real implementation
}
}
}
]
}, (err, invoice) => {
if (err) reject(err);
else resolve(invoice);
});
});
// Update deal with invoice ID
await hubspotClient.crm.deals.basicApi.update(dealId, {
properties: {
quickbooks_invoice_id: invoice.Id,
quickbooks_invoice_status: 'Created'
}
});
return {
status: 'success',
invoice_id: invoice.Id,
message: 'Invoice created successfully in QuickBooks'
};
} catch (error) {
throw new Error(`QuickBooks integration error: ${error.message}`);
}
}
module.exports = { createQuickBooksInvoice };

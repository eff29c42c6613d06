/**
 * One of the original snippets this project replaces (hand-written, on @hubspot/api-client and the vendor's SDK),
 * kept verbatim as plain JS for the benchmark (scripts/bench/seed.ts). Every change is the smallest that lets it run, marked `FIX:` with why.
 * Not shipped; not part of the actions.
 */
// Example code snippet for Shopify order integration
async function syncShopifyOrder(orderId, hubspotClient) {
// Initialize Shopify client
const Shopify = require('shopify-api-node');
const shopify = new Shopify({
shopName: process.env.SHOPIFY_SHOP_NAME,
apiKey: process.env.SHOPIFY_API_KEY,
password: process.env.SHOPIFY_API_PASSWORD
});
// Fetch order details from Shopify
const order = await shopify.order.get(orderId);
// Check if customer exists in HubSpot
const searchResponse = await hubspotClient.crm.contacts.searchApi.doSearch({
filterGroups: [{
filters: [{
propertyName: 'email',
operator: 'EQ',
value: order.email
}]
}]
});
let contactId;
if (searchResponse.results && searchResponse.results.length > 0) {
// Update existing contact
contactId = searchResponse.results[0].id;
const contactProperties = searchResponse.results[0].properties; // FIX: `contactProperties` was never defined (ReferenceError on every returning customer); the search result's properties are the closest thing the code has. Note they lack total_order_value: search returns only default properties unless asked.
await hubspotClient.crm.contacts.basicApi.update(contactId, {
properties: {
last_order_date: new Date(order.created_at).toISOString(),
total_order_value: (parseFloat(order.total_price) + parseFloat(contactProperties.total_order_value || 0)).toString()
}
});
} else {
// Create new contact
const createResponse = await hubspotClient.crm.contacts.basicApi.create({
properties: {
email: order.email,
firstname: order.customer.first_name,
lastname: order.customer.last_name,
phone: order.customer.phone,
address: `${order.billing_address.address1}, ${order.billing_address.city}`,
last_order_date: new Date(order.created_at).toISOString(),
total_order_value: order.total_price,
lifecycle_stage: 'customer'
}
});
contactId = createResponse.id;
}
// Create deal for the order
await hubspotClient.crm.deals.basicApi.create({
properties: {
dealname: `Order #${order.order_number}`,
amount: order.total_price,
closedate: new Date(order.created_at).toISOString(),
dealstage: 'closedwon',
pipeline: 'e-commerce',
order_id: order.id.toString()
},
associations: [
{
to: {
id: contactId
},
types: [
{
associationCategory: 'HUBSPOT_DEFINED',
associationTypeId: 3
}
]
}
]
});
return {
status: 'success',
message: `Order #${order.order_number} synced to HubSpot`
};
}
module.exports = { syncShopifyOrder };

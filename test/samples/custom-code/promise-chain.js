/* global exports -- HubSpot custom-code files are CommonJS: exports.main */
// Sample written for the codemod tests: nested promise chains that are never returned, a non-async
// handler, and error-first callbacks in both the inner and the outer chain.
const axios = require('axios');

const API = 'https://helpdesk.example/api';

exports.main = function (event, callback) {
  const headers = { Authorization: `Bearer ${process.env.HELPDESK_TOKEN}` };
  axios
    .get(`${API}/customers/${event.inputFields.email}`, { headers, timeout: 5000 })
    .then(function (customer) {
      axios
        .post(`${API}/tickets`, { customer: customer.data.id, subject: event.inputFields.subject }, { headers, timeout: 5000 })
        .then(function (ticket) {
          callback(null, { outputFields: { ticket_id: String(ticket.data.id), priority: ticket.data.priority } });
        });
    })
    .catch(function (err) {
      callback(err);
    });
};

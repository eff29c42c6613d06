/* global exports -- HubSpot custom-code files are CommonJS: exports.main */
// Sample written for the verifier tests: vendor keys sent in the URL's query string, once in a template and once
// through axios `params`.
const axios = require('axios');

exports.main = async (event) => {
  const email = encodeURIComponent(event.inputFields.email);
  const person = await axios.get(`https://api.people.example/v1/lookup?email=${email}&access_token=${process.env.PEOPLE_TOKEN}`, { timeout: 5000 });
  const geo = await axios.get('https://maps.example/geocode/json', {
    params: { address: person.data.city, key: process.env.MAPS_API_KEY },
    timeout: 5000,
  });
  return { outputFields: { lat: geo.data.results[0].lat, lng: geo.data.results[0].lng } };
};

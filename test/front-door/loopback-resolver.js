// The test's own DNS for a storefront server's process: every name under LOOPBACK_DOMAIN is 127.0.0.1, as a
// wildcard record `*.{domain}` pointing at the gateway would make it. Everything else resolves as usual.
'use strict';
const dns = require('node:dns');

const domain = (process.env.LOOPBACK_DOMAIN || '').toLowerCase();
const lookup = dns.lookup;
dns.lookup = function loopbackLookup(hostname, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  const opts = typeof options === 'function' ? {} : typeof options === 'number' ? { family: options } : options || {};
  const name = String(hostname).toLowerCase();
  if (domain && (name === domain || name.endsWith(`.${domain}`))) {
    if (opts.all) return process.nextTick(cb, null, [{ address: '127.0.0.1', family: 4 }]);
    return process.nextTick(cb, null, '127.0.0.1', 4);
  }
  return lookup.call(dns, hostname, options, callback);
};

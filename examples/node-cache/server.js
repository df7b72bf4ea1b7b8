const http = require('node:http');

http
  .createServer((req, res) => res.end('hello from a cached npm install\n'))
  .listen(3000, () => console.log('listening on :3000'));

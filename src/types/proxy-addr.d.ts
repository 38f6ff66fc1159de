// proxy-addr (the module Express itself uses for `req.ip`) ships no types; Kezek uses these two.
declare module 'proxy-addr' {
  import type { IncomingMessage } from 'node:http';
  type Trust = (address: string, hop: number) => boolean;
  function proxyaddr(req: IncomingMessage, trust: Trust): string;
  namespace proxyaddr {
    function compile(addresses: string[]): Trust;
  }
  export default proxyaddr;
}

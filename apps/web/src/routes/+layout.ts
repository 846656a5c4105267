// A single-page app: nothing renders on the server and nothing is prerendered. The server answers every
// page path with build/index.html and the router takes over in the browser.
export const ssr = false;
export const prerender = false;

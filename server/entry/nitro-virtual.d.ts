// Provided by Nitro's bundler when it builds the server entry.
declare module '#nitro-internal-pollyfills' {}

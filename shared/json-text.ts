/** JSON text known to hold a `T`: what the server stores, and sends without parsing it. */
export type JsonText<T> = string & { readonly __jsonOf?: T }

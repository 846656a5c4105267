/** Bumped on any breaking change to events or bodies; the server refuses sockets speaking another version. */
export const PROTOCOL_VERSION = 1;

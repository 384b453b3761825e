/**
 * Reads, from the first TLS record of a connection, the name of the session ticket the client offers: the first 16
 * bytes of the `session_ticket` extension (TLS 1.2) or of the first `pre_shared_key` identity (TLS 1.3), which is
 * where OpenSSL puts the name of the key that encrypted it. The HTTPS listener uses it to pick the TLS server holding
 * that key (ticket-keys.ts). Pure; never throws on malformed input (the TLS server will refuse it).
 */

/** Bytes of a TLS record header. */
export const RECORD_HEADER_BYTES = 5;
const HANDSHAKE = 0x16;
const CLIENT_HELLO = 0x01;
const EXT_SESSION_TICKET = 35;
const EXT_PRE_SHARED_KEY = 41;
const NAME_BYTES = 16;

/**
 * How many bytes the first record needs in all: `null` when what arrived cannot start a TLS handshake (then there
 * is nothing to wait for), else the header's length plus 5.
 */
export function firstRecordBytes(head: Buffer): number | null {
  if (head.length < 1 || head[0] !== HANDSHAKE) return null;
  if (head.length < RECORD_HEADER_BYTES) return RECORD_HEADER_BYTES;
  return RECORD_HEADER_BYTES + head.readUInt16BE(3);
}

/** The ticket's key name, or null when the ClientHello offers no ticket (or is not whole in this record). */
export function ticketKeyName(record: Buffer): Buffer | null {
  let at = RECORD_HEADER_BYTES;
  if (record.length < at + 4 || record[0] !== HANDSHAKE || record[at] !== CLIENT_HELLO) return null;
  const end = Math.min(record.length, at + 4 + record.readUIntBE(at + 1, 3));
  at += 4 + 2 + 32; // handshake header, legacy version, random
  if (at + 1 > end) return null;
  at += 1 + record[at]!; // session id
  if (at + 2 > end) return null;
  at += 2 + record.readUInt16BE(at); // cipher suites
  if (at + 1 > end) return null;
  at += 1 + record[at]!; // compression methods
  if (at + 2 > end) return null;
  const extensionsEnd = Math.min(end, at + 2 + record.readUInt16BE(at));
  at += 2;
  while (at + 4 <= extensionsEnd) {
    const type = record.readUInt16BE(at);
    const length = record.readUInt16BE(at + 2);
    const data = at + 4;
    if (data + length > extensionsEnd) return null;
    if (type === EXT_SESSION_TICKET && length >= NAME_BYTES) return record.subarray(data, data + NAME_BYTES);
    // identities<7..2^16-1>: the first identity's length, then its bytes.
    if (type === EXT_PRE_SHARED_KEY && length >= 4 + NAME_BYTES && record.readUInt16BE(data + 2) >= NAME_BYTES) {
      return record.subarray(data + 4, data + 4 + NAME_BYTES);
    }
    at = data + length;
  }
  return null;
}

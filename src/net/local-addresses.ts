/**
 * Which addresses belong to this machine: what NodePorts can be served on. An address is local when an interface
 * holds it (`os.networkInterfaces()`), and every loopback address counts as local since any 127.x (and ::1) binds on
 * Linux without setup. The check is a value built once per compile, so compilation itself stays free of I/O.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { canonicalIp } from './ip-range.ts';

/** True when the address is one of this machine's (or loopback). */
export type LocalAddressCheck = (address: string) => boolean;

/** The check over the given interfaces (by default, the machine's as they are now). */
export function localAddressCheck(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): LocalAddressCheck {
  const held = new Set<string>();
  for (const list of Object.values(interfaces)) for (const info of list ?? []) held.add(canonicalIp(info.address) ?? info.address);
  return (address) => {
    const canonical = canonicalIp(address);
    if (canonical === undefined) return false;
    return canonical.startsWith('127.') || canonical === '::1' || held.has(canonical);
  };
}

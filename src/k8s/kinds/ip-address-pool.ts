/**
 * metallb.io/v1beta1 IPAddressPool: a custom resource, so its columns are the CRD's additional printer columns
 * (no AGE: the CRD does not list one).
 */
import { kindEntry } from '../kind-entry.ts';
import { NAME_COLUMN, path } from '../printer-column.ts';

export const IP_ADDRESS_POOL = kindEntry({
  group: 'metallb.io',
  version: 'v1beta1',
  kind: 'IPAddressPool',
  plural: 'ipaddresspools',
  namespaced: true,
  printerColumns: [
    NAME_COLUMN,
    path('Auto Assign', '.spec.autoAssign', 'boolean'),
    path('Avoid Buggy IPs', '.spec.avoidBuggyIPs', 'boolean'),
    path('Addresses', '.spec.addresses'),
  ],
});

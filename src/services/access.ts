import { Role } from '../domain/enums.js';
import type { Viewer, ViewerOf } from '../auth/viewer.js';
import { forbidden, unauthenticated } from '../errors.js';

/**
 * The first statement of every service method that needs a signed-in caller: anonymous callers
 * get UNAUTHENTICATED, signed-in callers of another role get FORBIDDEN.
 */
export function requireRole<R extends Role>(viewer: Viewer, ...roles: R[]): asserts viewer is ViewerOf<R> {
  if (viewer.role === Role.PUBLIC) throw unauthenticated();
  if (!(roles as Role[]).includes(viewer.role)) {
    throw forbidden(`This needs the role ${roles.join(' or ')}; you are signed in as ${viewer.role}.`);
  }
}

/** ADMIN anywhere; an OPERATOR only in their own city. */
export function requireCityAuthority(viewer: Viewer, cityCode: string): asserts viewer is ViewerOf<Role.ADMIN | Role.OPERATOR> {
  requireRole(viewer, Role.ADMIN, Role.OPERATOR);
  if (viewer.role === Role.OPERATOR && viewer.cityCode !== cityCode) {
    throw forbidden(`Operators of ${viewer.cityCode} cannot act in ${cityCode}.`);
  }
}

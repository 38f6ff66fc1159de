import { createHash } from 'node:crypto';

/**
 * A public, stable pseudonym for an application: the parent finds it on their own application and
 * recognises it in the open queue; nobody else can link it to a child.
 */
export const publicLabel = (applicationId: string): string => {
  const hex = createHash('sha256').update(`kezek-queue:${applicationId}`).digest('hex').toUpperCase();
  return `${hex.slice(0, 4)}-${hex.slice(4, 8)}`;
};

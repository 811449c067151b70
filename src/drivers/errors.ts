import { HavuzError } from '../core/errors.js';

/** The database package for a URL's scheme is not installed. */
export class DriverMissingError extends HavuzError {
  constructor(packageName: string, dialect: string) {
    super('HAVUZ_DRIVER_MISSING', `The ${dialect} driver needs the "${packageName}" package: npm install ${packageName}`);
  }
}

// A database package that is not installed must say which one to install, never crash on import.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPackage } from '../../src/drivers/dialect.js';
import { DriverMissingError } from '../../src/core/errors.js';
import { dialectFor, mysqlDialect, postgresDialect, sqliteDialect } from '../../src/drivers/index.js';

test('loadPackage names the missing package and how to install it', async () => {
  await assert.rejects(loadPackage('havuz-no-such-driver-pkg', 'postgres'), (error) => {
    assert.ok(error instanceof DriverMissingError);
    assert.equal(error.code, 'HAVUZ_DRIVER_MISSING');
    assert.match(error.message, /"havuz-no-such-driver-pkg"/);
    assert.match(error.message, /npm install havuz-no-such-driver-pkg/);
    return true;
  });
});

test('a missing subpath of an installed package is not reported as a missing package', async () => {
  await assert.rejects(loadPackage('pg/no-such-file.js', 'postgres'), (error) => !(error instanceof DriverMissingError));
});

test('each dialect names the package it loads', () => {
  assert.equal(postgresDialect.packageName, 'pg');
  assert.equal(mysqlDialect.packageName, 'mysql2');
  assert.equal(sqliteDialect.packageName, 'better-sqlite3');
});

test('dialectFor maps URL schemes to dialects', () => {
  assert.equal(dialectFor('postgres'), postgresDialect);
  assert.equal(dialectFor('postgresql:'), postgresDialect);
  assert.equal(dialectFor('MySQL'), mysqlDialect);
  assert.equal(dialectFor('mariadb'), mysqlDialect);
  assert.equal(dialectFor('sqlite'), sqliteDialect);
  assert.equal(dialectFor('mongodb'), undefined);
  assert.equal(dialectFor('constructor'), undefined);
});

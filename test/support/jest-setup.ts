// Runs before each test file: the tier's default time for a test or hook, from
// jest.config.js (jest itself reads testTimeout only from the command line or the
// top of the config, not per project). A file that needs more calls jest.setTimeout.
import { jest } from '@jest/globals';

jest.setTimeout((globalThis as { tierTestTimeoutMs?: number }).tierTestTimeoutMs ?? 5000);

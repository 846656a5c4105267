import { defineConfig } from '@playwright/test';
export default defineConfig({ testDir: '/work/main/tests/e2e', testMatch: 'zz-dbg.spec.ts', use: { launchOptions: { executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] } } });

import type { Browser } from 'playwright-core';

export declare const CHROMIUM: string;
export declare const CHROMIUM_ARGS: readonly string[];
export declare function chromiumAvailable(): boolean;
export declare function buildPage(outDir: string): Promise<void>;
export declare function serveStatic(dir: string): Promise<{ url: string; close(): Promise<void> }>;
export declare function launchChromium(): Promise<Browser>;

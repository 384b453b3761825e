/**
 * The settings edgeway runs with when the configuration has no EdgewaySettings document, and for each field the
 * document leaves out or gets wrong. The values are the `default` keywords of schema/edgeway-settings.schema.json,
 * converted by the document reader (settings-document.ts) exactly as written values are, so they live in one place.
 * They are the cautious choice: loopback listeners, no trusted proxies, ExternalName off, bounded timeouts; the README
 * gives the sources of the front-door limits and the retry budget.
 */
import type { Settings } from './settings.ts';
import { defaultSettings } from './settings-document.ts';

export const DEFAULT_SETTINGS: Settings = defaultSettings();

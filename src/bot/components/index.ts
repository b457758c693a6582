/** Buttons and forms that belong to no one command, by the prefix of their custom id. */
import type { ComponentHandler } from '../context.js';
import * as feedback from './feedback.js';
import * as share from './share.js';

export const components: ReadonlyMap<string, ComponentHandler> = new Map([feedback, share].map((c) => [c.prefix, c]));

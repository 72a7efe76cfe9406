#!/usr/bin/env node
import {execute} from '../dist/bundle/run.js'

await execute({dir: import.meta.url})

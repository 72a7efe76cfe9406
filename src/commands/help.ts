// @oclif/plugin-help's command, as one of ours (src/cli/plugin-command.ts says why).
import {commands} from '@oclif/plugin-help'

export default commands.help

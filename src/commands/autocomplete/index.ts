// @oclif/plugin-autocomplete's command, as one of ours (src/cli/plugin-command.ts says why).
import {pluginCommand} from '../../cli/plugin-command.js'

export default await pluginCommand('@oclif/plugin-autocomplete', 'autocomplete/index.js')

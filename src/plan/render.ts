/**
 * The plan as the person reads it (stdout) and as files (--output): vfio.nix, vfio.conf,
 * kernel-cmdline.txt, the domain XML and its diff, the libvirt fragments and STEPS.md.
 */
import {describe} from '../../checks/lib/gpu.js'
import type {Fragment, Plan} from './types.js'
import {wrapLines} from '../util/wrap.js'
import {capitalized} from '../util/sentence.js'

export function planFiles(plan: Plan): Map<string, string> {
  const files = new Map<string, string>()
  files.set('STEPS.md', stepsMarkdown(plan))
  files.set('vfio.nix', plan.nixosModule)
  files.set('vfio.conf', plan.otherDistros.modprobeConf)
  files.set('kernel-cmdline.txt', plan.otherDistros.cmdline + '\n')
  if (plan.otherDistros.tmpfiles) files.set('looking-glass.conf', plan.otherDistros.tmpfiles)
  if (plan.otherDistros.overrideScript) files.set('vfio-pci-override.sh', plan.otherDistros.overrideScript.content)
  if (plan.fragments.length > 0) files.set('libvirt-fragments.txt', plan.fragments.map(fragmentText).join('\n\n') + '\n')
  if (plan.domain) {
    files.set(plan.domain.file, plan.domain.rewritten)
    files.set(plan.domain.file.replace(/\.xml$/i, '') + '.diff', plan.domain.diff)
  }
  return files
}

/**
 * The plan on a terminal `width` columns wide: its prose wraps to it, its code (the files'
 * contents, the diff, the XML) keeps every line as it is, to be copied whole.
 */
export function planText(plan: Plan, width: number): string {
  const c = plan.choices
  const out: string[] = []
  const prose = (text: string, first = '', rest = `${first}  `) => out.push(...wrapLines(text, width, first, rest))
  const section = (title: string) => {
    out.push('')
    prose(`== ${title} ==`)
  }
  prose(c.gpu ? `vfio-doctor plan: ${describe(c.gpu)} for the guest (${c.gpuWhy})` : 'vfio-doctor plan: no guest GPU yet')
  prose(hostLine(plan))
  const covered = plan.coverage
  if (covered.length > 0) {
    section('What `vfio-doctor check` reports now, and what fixes it')
    for (const {finding, fix} of covered) prose(`${fix ? '✓' : '✗'} ${finding.id} (${finding.severity}): ${fix ?? `not covered by this plan: \`vfio-doctor explain ${finding.id}\``}`)
  }
  if (c.notes.length > 0) {
    section('Notes')
    for (const n of c.notes) prose(`- ${n}`)
  }
  section('Steps only you can do, in order')
  plan.steps.forEach((step, i) => {
    prose(`${i + 1}. ${step.title}`, '', '   ')
    prose(`Why: ${capitalized(step.why)}`, '   ', '     ')
    for (const a of step.actions) {
      // An action starting "  - " is an item of the action before it.
      if (a.startsWith('  - ')) prose(`- ${a.slice(4)}`, '     ')
      else prose(`- ${a}`, '   ')
    }
    prose(`Verify: ${step.verify}`, '   ', '     ')
  })
  if (c.host.nixos || !c.host.initramfs) {
    section('NixOS: vfio.nix')
    out.push(plan.nixosModule.trimEnd())
  }
  if (!c.host.nixos) {
    const o = plan.otherDistros
    section('Other distributions')
    out.push('Kernel parameters:', o.cmdline, '', '/etc/modprobe.d/vfio.conf:', o.modprobeConf.trimEnd())
    for (const i of o.initramfs) {
      out.push('')
      prose(`${i.tool}: ${i.file}:`)
      out.push(i.content)
      prose(`then: ${i.command}`)
      if (i.note) prose(i.note)
    }
    for (const b of o.bootloader) {
      out.push('', `${b.loader}:`)
      for (const h of b.how) prose(h, '  ')
    }
    if (o.tmpfiles) out.push('', '/etc/tmpfiles.d/10-looking-glass.conf:', o.tmpfiles.trimEnd())
    if (o.overrideScript) out.push('', `${o.overrideScript.path}:`, o.overrideScript.content.trimEnd())
  }
  if (plan.domain) {
    section(`libvirt: ${plan.domain.name} rewritten (${plan.domain.file}), as a diff`)
    for (const ch of plan.domain.changes) prose(`- ${ch.what}: ${ch.why}`)
    out.push('', plan.domain.diff.trimEnd() || '(no change)')
  } else if (plan.fragments.length > 0) {
    section('libvirt: the pieces of the domain XML')
    plan.fragments.forEach((f, i) => {
      if (i > 0) out.push('')
      // The comment wraps inside its <!-- -->: the fragment still pastes as XML.
      prose(fragmentComment(f), '', '     ')
      out.push(f.xml)
    })
  }
  return out.join('\n') + '\n'
}

function hostLine(plan: Plan): string {
  const c = plan.choices
  const parts = [c.host.name ?? (c.host.nixos ? 'NixOS' : 'distribution unknown (add /etc/os-release)')]
  if (c.vendor) parts.push(`${c.vendor.vendor === 'intel' ? 'Intel' : 'AMD'} CPU (${c.vendor.evidence})`)
  if (c.kernel) parts.push(c.kernel.source)
  if (c.host.initramfs) parts.push(`initramfs: ${c.host.initramfs}`)
  if (c.host.bootloader) parts.push(`boot loader: ${c.host.bootloader}`)
  return `Host: ${parts.join('; ')}`
}

function fragmentText(f: Fragment): string {
  return `${fragmentComment(f)}\n${f.xml}`
}

function fragmentComment(f: Fragment): string {
  return `<!-- ${f.title} (${f.where}): ${f.why.replace(/--/g, '- -')} -->`
}

function stepsMarkdown(plan: Plan): string {
  const c = plan.choices
  const out = [`# GPU passthrough plan${c.gpu ? ` for ${describe(c.gpu)}` : ''}`, '', hostLine(plan), '']
  if (plan.coverage.length > 0) {
    out.push('## What `vfio-doctor check` reports now', '')
    for (const {finding, fix} of plan.coverage) out.push(`- **${finding.id}** (${finding.severity}): ${markdownText(finding.message)}  \n  ${fix ? `Fixed by: ${markdownText(fix)}` : `Not covered: \`vfio-doctor explain ${finding.id}\``}`)
    out.push('')
  }
  if (c.notes.length > 0) out.push('## Notes', '', ...c.notes.map((n) => `- ${markdownText(n)}`), '')
  out.push('## Steps', '')
  plan.steps.forEach((s, i) => {
    const why = markdownText(capitalized(s.why))
    out.push(`### ${i + 1}. ${markdownText(s.title)}`, '', why.endsWith('.') ? why : `${why}.`, '')
    out.push(...s.actions.map((a) => (a.startsWith('  - ') ? `  ${markdownText(a)}` : `- ${markdownText(a)}`)), '', `Verify: ${markdownText(s.verify)}`, '')
  })
  return out.join('\n')
}


/** Text for Markdown: outside `code`, < and > would be read as HTML tags, so they are escaped. */
function markdownText(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part) => (part.startsWith('`') ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('')
}

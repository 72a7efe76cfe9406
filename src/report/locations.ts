import {isAbsolute, join, relative, sep} from 'node:path'
import type {ReportFinding} from './model.js'
import type {HostReport} from './hosts.js'
import {quotedXmlLine} from './xml-line.js'

/** A place in a file that an evidence line names: the path as CI sees it (relative to the working folder, `/`-separated). */
export interface FileLocation {
  path: string
  /** 1-based; absent when the evidence names the file but not a line (a domain's XML file). */
  line?: number
  /** The evidence line that names it. */
  evidence: string
}

/** What a finding is about where no file says it: a PCI device, a libvirt domain, a path on the host. */
export interface LogicalLocation {
  name: string
  kind: 'pci-device' | 'domain' | 'path' | 'value'
}

const PCI_ADDRESS = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i

/**
 * The files and lines a finding's evidence names. Evidence is one line of words per fact; the
 * lines that quote a file say "ORIGIN line N: ..." (NixOS configuration, modprobe.d, qemu logs) or
 * "domain NAME (ORIGIN): ..." (a domain's XML), where ORIGIN is a source of the run as the report
 * lists it, so only a real source's name counts, never a look-alike in the quoted text. The kernel
 * command line is quoted as "kernel command line: ..." and is line 1 of its file.
 */
export function fileLocations(finding: ReportFinding, host: HostReport): FileLocation[] {
  const files = host.report.sources.filter((s) => s.status === 'ok' && (host.report.host.mode === 'input' || isAbsolute(s.origin)))
  // Longest first: "hardware-configuration.nix" before "configuration.nix".
  const origins = [...new Set(files.map((s) => s.origin))].sort((a, b) => b.length - a.length)
  const cmdline = files.find((s) => s.kind === 'cmdline')
  const out: Array<FileLocation & {rank: number}> = []
  for (const evidence of finding.evidence) {
    const named = namedLine(evidence, origins)
    // A domain's XML quoted without a line: the line that holds what it quotes, when one line alone does.
    const line = named && (named.line ?? (host.sourceText ? quotedXmlLine(evidence, host.sourceText(named.origin)) : undefined))
    if (named) out.push({path: ciPath(host, named.origin), ...(line ? {line} : {}), evidence, rank: line ? 0 : 2})
    else if (cmdline && evidence.startsWith('kernel command line: ')) out.push({path: ciPath(host, cmdline.origin), line: 1, evidence, rank: 1})
  }
  // A finding about a domain whose evidence names no file is still about that domain's XML file.
  const domain = out.length === 0 && finding.subject !== undefined ? files.find((s) => s.kind === 'domainXml' && s.label === finding.subject) : undefined
  if (domain) out.push({path: ciPath(host, domain.origin), evidence: `domain ${finding.subject}`, rank: 3})
  // The line a person edits first: a named file line (a NixOS option, a modprobe.d line), then the
  // kernel command line, then a file without a line. CI annotates the first.
  return out.sort((a, b) => a.rank - b.rank).map(({rank: _rank, ...location}) => location)
}

/** The subject of a finding as a logical location, when there is one. */
export function logicalLocation(finding: ReportFinding, host: HostReport): LogicalLocation | undefined {
  const subject = finding.subject
  if (!subject) return undefined
  if (subject.split(' ').every((s) => PCI_ADDRESS.test(s))) return {name: subject, kind: 'pci-device'}
  if (subject.startsWith('/')) return {name: subject, kind: 'path'}
  const domains = host.report.sources.filter((s) => s.kind === 'domainXml').map((s) => s.label)
  if (domains.includes(subject) || finding.evidence.some((e) => e.startsWith(`domain ${subject} `) || e.startsWith(`domain ${subject}:`))) return {name: subject, kind: 'domain'}
  return {name: subject, kind: 'value'}
}

function namedLine(evidence: string, origins: string[]): {origin: string; line?: number} | undefined {
  for (const origin of origins) {
    const at = lineAfter(evidence, `${origin} line `)
    if (at) return {origin, line: at}
    if (evidence.includes(`(${origin})`)) return {origin}
  }
  return undefined
}

/** The line number after `needle`, where `needle` starts the text or follows a space. */
function lineAfter(text: string, needle: string): number | undefined {
  let from = 0
  for (;;) {
    const at = text.indexOf(needle, from)
    if (at < 0) return undefined
    const before = at === 0 ? ' ' : text[at - 1]!
    const digits = /^\d{1,9}/.exec(text.slice(at + needle.length, at + needle.length + 10))?.[0]
    if ((before === ' ' || before === '(') && digits) return Number(digits)
    from = at + 1
  }
}

/**
 * Where CI finds the file: an evidence file under the folder as it was named (`nixos-config/hosts/a.nix`),
 * relative to the working folder when it is inside it; a live host's file by its absolute path.
 */
export function ciPath(host: HostReport, origin: string): string {
  if (isAbsolute(origin)) return origin
  const full = join(host.root, origin)
  const rel = relative(process.cwd(), full)
  const path = isAbsolute(full) && (rel.startsWith('..') || isAbsolute(rel)) ? full : rel
  return path.split(sep).join('/')
}

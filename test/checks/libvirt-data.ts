/** Real data the libvirt check tables share: the corpus's passthrough domains, listings and seed lines. */
import {join} from 'node:path'
import {corpusDir, hasShared, readShared, seedsDir} from '../helpers/paths.js'

export const corpus = (folder: string, file: string): string => readShared(join(corpusDir, folder, file))

/** The real users' domains (libvirt-domains-real/). */
export const domains = {
  j4nsenGtx1070: corpus('libvirt-domains-real', 'J4nsen__4gamers1pc__configs_vm-cpu0-0.xml'),
  j4nsenUsbOnly: corpus('libvirt-domains-real', 'J4nsen__4gamers1pc__configs_vm-cpu1-1.xml'),
  alshdavidNavi: corpus('libvirt-domains-real', 'alshdavid-labs__vfio-log__vm-configs_gpu-test.xml'),
  bryansteinerWin10: corpus('libvirt-domains-real', 'bryansteiner__gpu-passthrough-tutorial__kvm_win10.xml'),
  sabinWin10: corpus('libvirt-domains-real', 'sabinM1__10ferestre__10ferestre.xml'),
  xkevinWin10: corpus('libvirt-domains-real', 'xkevinx45__log__win10.xml'),
}

export const listings = {
  j4nsen: corpus('iommu-groups', 'J4nsen__4gamers1pc__iommu_groups.txt'),
  alshdavid: corpus('iommu-groups', 'alshdavid-labs__vfio-log__iommu-groups.txt'),
}

export const xkevinLspci = corpus('lspci', 'xkevinx45__log__lspci.txt')

const seed = (file: string) => readShared(join(seedsDir, file))
export const seeds = {
  s000: seed('000_8b0cdaf3597e3fbf.txt'),
  s001: seed('001_5802c661ff60c12a.txt'),
  s003: seed('003_2a7385938a418358.txt'),
}

/** The last fenced block of a seed with this language tag ('' for none) that contains `marker` ('' without ../shared). */
export function seedBlock(text: string, lang: string, marker: string): string {
  if (!hasShared) return ''
  const blocks: Array<{lang: string; body: string[]}> = []
  let open: {lang: string; body: string[]} | undefined
  for (const line of text.split('\n')) {
    const fence = /^\s*```(\S*)\s*$/.exec(line)
    if (fence && !open) open = {lang: fence[1]!, body: []}
    else if (fence && open) {
      blocks.push(open)
      open = undefined
    } else open?.body.push(line)
  }
  const found = blocks.filter((b) => b.lang === lang && b.body.join('\n').includes(marker)).at(-1)
  if (found === undefined) throw new Error(`no ${lang || 'untagged'} block with ${marker}`)
  return found.body.join('\n') + '\n'
}

/** Seed 000's group listing (the whole host, Arch wiki script). */
export const seed000Groups = seedBlock(seeds.s000, '', 'IOMMU Group 8:')
/** Seed 000's final NixOS module (swtpm on, runAsRoot left at its default). */
export const seed000Nix = seedBlock(seeds.s000, 'nix', 'swtpm.enable = true')
/** Seed 003's final NixOS configuration (runAsRoot = false, driver_override for 0f:00.x, no swtpm). */
export const seed003Nix = seedBlock(seeds.s003, 'nix', 'username = "vini"')

export const NIXOS_RELEASE = 'ID=nixos\nNAME=NixOS\nVERSION_ID="25.05"\nPRETTY_NAME="NixOS 25.05 (Warbler)"\n'
export const DEBIAN_RELEASE = 'ID=debian\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\n'
export const ARCH_RELEASE = 'NAME="Arch Linux"\nID=arch\n'

/** `namei -l PATH` output for a file, every component given as "mode owner group". */
export function namei(path: string, modes: string[]): string {
  const names = ['/', ...path.split('/').filter(Boolean)]
  if (modes.length !== names.length) throw new Error(`namei: ${names.length} components, ${modes.length} modes`)
  return [`f: ${path}`, ...names.map((n, i) => `${modes[i]} ${n}`)].join('\n') + '\n'
}

/** A domain with one string replacement that must apply ('' without ../shared). */
export function edit(xml: string, from: string | RegExp, to: string): string {
  if (!hasShared) return ''
  const out = xml.replace(from, to)
  if (out === xml) throw new Error(`edit: ${String(from)} not found`)
  return out
}

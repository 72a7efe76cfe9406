/** The two small parser additions the libvirt checks read: libosinfo ids and `virsh list --all` tables. */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseDomainXml} from '../../src/parse/domain-xml.js'
import {parseVirshList} from '../../src/parse/small.js'
import {corpusDir, hasShared} from '../helpers/paths.js'

const real = (file: string) => readFileSync(join(corpusDir, 'libvirt-domains-real', file), 'utf8')

describe('domain libosinfo id', () => {
  it.skipIf(!hasShared)('reads the id virt-manager records (real domains)', () => {
    expect(parseDomainXml(real('bryansteiner__gpu-passthrough-tutorial__kvm_win10.xml'), 'x').osinfo).toBe('http://microsoft.com/win/10')
    expect(parseDomainXml(real('alshdavid-labs__vfio-log__vm-configs_gpu-test.xml'), 'x').osinfo).toBe('http://debian.org/debian/11')
    expect(parseDomainXml(real('xkevinx45__log__win10.xml'), 'x').osinfo).toBeUndefined()
  })
  it('matches by namespace URI, not prefix', () => {
    const xml = (ns: string) => `<domain type='kvm'><name>a</name><metadata><x:libosinfo xmlns:x='${ns}'><x:os id='http://microsoft.com/win/11'/></x:libosinfo></metadata></domain>`
    expect(parseDomainXml(xml('http://libosinfo.org/xmlns/libvirt/domain/1.0'), 'x').osinfo).toBe('http://microsoft.com/win/11')
    expect(parseDomainXml(xml('http://example.com/other'), 'x').osinfo).toBeUndefined()
  })
})

describe('virsh list', () => {
  it('takes the Name column of a pasted `virsh list --all` table', () => {
    expect(parseVirshList(' Id   Name      State\n----------------------------\n 3    win10     running\n -    linux     shut off\n')).toEqual(['win10', 'linux'])
    expect(parseVirshList(' Id   Name   State\n--------------------\n\n')).toEqual([])
  })
})

import {defineCheck} from '../src/engine/types.js'
import type {Facts} from '../src/facts/types.js'
import {domainLabel, domainSubject, guestOs, isX86, domainsShowing} from './lib/domain.js'

/** Windows client editions use at most this many sockets (Home: 1, Pro: 2); the rest of the vCPUs sit idle. */
const WINDOWS_CLIENT_SOCKETS = 2

/**
 * Without <topology>, libvirt gives QEMU one socket per vCPU (sockets=N,cores=1,threads=1); Windows
 * Home uses one socket and Pro two, so the guest sees one or two logical processors. A topology of
 * one socket with the host's threads per core fixes it.
 */
export default defineCheck({
  id: 'cpu-topology',
  title: 'Windows guests see all their vCPUs',
  area: 'vm',
  reports: ['cpu-topology-default'],
  needs: ['domains'],
  uses: ['cpu'],
  run(facts, report) {
    let judged = 0
    for (const domain of domainsShowing(facts, report, 'cpu', 'vcpu')) {
      const os = guestOs(domain)
      // Windows Server editions use many sockets; only client editions are limited.
      if (!isX86(domain) || !os?.windows || /^(2k|server)/i.test(os.version ?? '') || domain.vcpus === undefined) continue
      judged++
      const label = domainLabel(domain)
      const vcpus = domain.vcpus
      const topology = domain.cpu.topology
      const evidence = [`${label}: ${os.evidence}`, `<vcpu>${vcpus}</vcpu>${topology ? ` <topology sockets='${topology.sockets ?? ''}' cores='${topology.cores ?? ''}' threads='${topology.threads ?? ''}'/>` : ', no <topology>'}`, ...hostEvidence(facts)]
      if (vcpus === 1) {
        const suggested = suggestTopology(facts, 0)
        report.info('cpu-topology-default', {
          subject: domainSubject(domain),
          message: `${label} has a single vCPU: Windows sees one logical processor.${suggested.note}`,
          evidence,
          values: {domain: domainSubject(domain), ...suggested.values},
        })
        continue
      }
      const sockets = topology?.sockets ?? vcpus
      if (topology && sockets <= WINDOWS_CLIENT_SOCKETS) {
        report.pass(`${label}: ${vcpus} vCPUs in ${sockets} socket(s)`)
        continue
      }
      const suggested = suggestTopology(facts, vcpus)
      const why = topology ? `its topology has ${sockets} sockets` : `it has no <topology>, so libvirt makes each vCPU a socket`
      const sees = sockets === 2 ? 'Windows Home uses 1 socket, so it sees 1 of them (Pro sees both)' : 'Windows Home uses 1 socket and Pro 2, so the guest sees only 1 or 2 logical processors'
      report.warning('cpu-topology-default', {
        subject: domainSubject(domain),
        message: `${label} gives Windows ${vcpus} vCPUs but ${why}: ${sees}.${suggested.note}`,
        evidence,
        values: {domain: domainSubject(domain), ...suggested.values},
      })
    }
    if (judged === 0) report.skip('no Windows domain with a <vcpu> count')
  },
})

/**
 * One socket, the host's threads per core: keep the domain's vCPU count when it divides evenly,
 * else (one vCPU) offer half the host's cores with their threads, as seed 000 did (2 cores x 2 threads on a 4c/8t CPU).
 */
function suggestTopology(facts: Facts, vcpus: number): {values: Record<string, string>; note: string} {
  const hostThreads = facts.cpu?.threadsPerCore ?? 1
  const hostCores = facts.cpu?.cores
  let threads = hostThreads
  let cores: number
  if (vcpus > 1) {
    if (vcpus % threads !== 0) threads = 1
    cores = vcpus / threads
  } else cores = hostCores ? Math.max(1, Math.floor(hostCores / 2)) : 2
  const total = cores * threads
  const host = hostCores ? ` The host has ${hostCores} cores with ${hostThreads} thread(s) each.` : ''
  return {values: {vcpus: String(total), cores: String(cores), threads: String(threads)}, note: host}
}

function hostEvidence(facts: Facts): string[] {
  const cpu = facts.cpu
  if (!cpu?.cores) return []
  return [`host CPU${cpu.model ? ` ${cpu.model}` : ''}: ${cpu.cores} cores, ${cpu.threadsPerCore ?? 1} thread(s) per core${cpu.logicalCpus ? `, ${cpu.logicalCpus} logical CPUs` : ''}`]
}


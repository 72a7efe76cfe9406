import {defineCheck} from '../src/engine/types.js'
import {baseName, domainLabel, domainSubject, guestOs, isIso, VIRTIO_WIN_ISO, windowsIn, domainsShowing} from './lib/domain.js'
import {logLine, logSignalsOf} from './lib/libvirt.js'

/**
 * Windows has no virtio storage driver (viostor) of its own: a Windows guest whose disk is on the
 * virtio bus needs it from the virtio-win ISO during setup, and cannot boot if it is lost. An
 * installed guest with the driver needs no ISO, so only an attached installer or a failure says so.
 */
export default defineCheck({
  id: 'virtio-storage-driver',
  title: 'Windows guests on virtio disks have the virtio driver',
  area: 'vm',
  reports: ['virtio-storage-driver-missing'],
  needs: ['domains'],
  uses: ['logSignals'],
  run(facts, report) {
    const failures = [...logSignalsOf(facts, 'no-disk-found'), ...logSignalsOf(facts, 'windows-stop-code').filter((s) => /INACCESSIBLE_BOOT_DEVICE/i.test(s.data?.code ?? s.text))]
    let judged = false
    for (const domain of domainsShowing(facts, report, 'devices', 'disk')) {
      const os = guestOs(domain)
      if (!os?.windows) continue
      const virtioDisks = domain.disks.filter((d) => d.device === 'disk' && d.bus === 'virtio')
      if (virtioDisks.length === 0) continue
      judged = true
      const label = domainLabel(domain)
      const isos = domain.disks.filter(isIso)
      const driverIso = isos.find((d) => VIRTIO_WIN_ISO.test(d.sourceFile ?? ''))
      const installer = isos.find((d) => d !== driverIso && windowsIn(baseName(d.sourceFile)))
      const evidence = [
        `${label}: ${os.evidence}`,
        ...virtioDisks.map((d) => `<disk device='disk'> ${d.sourceFile ?? ''} on bus='virtio' (${d.targetDev ?? ''})`),
        ...(installer ? [`<disk device='${installer.device}'> ${installer.sourceFile}`] : []),
        driverIso ? `<disk device='${driverIso.device}'> ${driverIso.sourceFile}` : 'no virtio-win ISO attached',
      ]
      const values = {domain: domainSubject(domain), driverIso: driverIso?.sourceFile ?? '/var/lib/libvirt/images/virtio-win.iso', targetDev: nextCdromTarget(domain.disks.map((d) => d.targetDev))}
      if (failures.length > 0) {
        report.error('virtio-storage-driver-missing', {
          subject: domainSubject(domain),
          message: `Windows in ${label} finds no disk: its disk is on the virtio bus and the virtio storage driver (viostor) is not loaded${driverIso ? `; load it from ${baseName(driverIso.sourceFile)}` : ' and no virtio-win ISO is attached'}.`,
          evidence: [...evidence, ...failures.map(logLine)],
          values,
        })
        continue
      }
      if (installer && !driverIso) {
        report.warning('virtio-storage-driver-missing', {
          subject: domainSubject(domain),
          message: `${label} installs Windows from ${baseName(installer.sourceFile)} onto a virtio disk but has no virtio-win ISO attached: setup will show no drive to install to.`,
          evidence,
          values,
        })
        continue
      }
      report.pass(`${label}: virtio disk${driverIso ? ` with ${baseName(driverIso.sourceFile)} attached` : ', no installer attached (driver presumably installed)'}`)
    }
    if (!judged) report.skip('no Windows domain with a virtio disk')
  },
})

/** A free SATA target name for the driver ISO: sdb, sdc, ... */
function nextCdromTarget(used: Array<string | undefined>): string {
  for (const letter of 'bcdefghij') if (!used.includes(`sd${letter}`)) return `sd${letter}`
  return 'sdk'
}

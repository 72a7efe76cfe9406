/** Where libvirt's clients find the system daemon: the modular virtqemud's socket, else libvirtd's (or virtproxyd's). */
export const SYSTEM_DAEMON_SOCKETS = ['/run/libvirt/virtqemud-sock', '/run/libvirt/libvirt-sock']

/** How the reason of a live run's `virsh list` begins when no daemon listens and virsh was not started (sources/live/libvirt.ts). */
export const NO_SYSTEM_DAEMON = 'no libvirt daemon listens for qemu:///system'

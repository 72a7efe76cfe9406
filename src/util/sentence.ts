/** The first word capitalised when it is a plain word, not a name such as vfio-pci or /dev/shm. */
export function capitalized(text: string): string {
  return /^[a-z]+(?![-_.:/a-z0-9])/.test(text) ? text.charAt(0).toUpperCase() + text.slice(1) : text
}

/**
 * What a fix says where the evidence lacks a value it needs. A stand-in is the tool's own word, never
 * a person's name: the redactor must not learn it from a report (it once became "user1").
 */
export const UNKNOWN_USER = 'YOUR_USER'

export const STAND_INS = [UNKNOWN_USER]

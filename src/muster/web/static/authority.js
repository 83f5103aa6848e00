// Signing a draft in the browser: the authority's key file (encrypted PKCS#8, PBES2 with
// PBKDF2 and AES-CBC, as `muster authority create --key-out` writes it) is read with an ASN.1
// reader, decrypted with WebCrypto's PBKDF2 and AES-CBC, and the draft's bytes signed with
// WebCrypto's Ed25519. Only the signature and the key's fingerprint are put in the form: the
// file and the passphrase fields have no name, and the decrypted key is never kept.
"use strict";
import { ASN1 } from "./vendor/asn1js/asn1.js";

const OID = {
  pbes2: "1.2.840.113549.1.5.13",
  pbkdf2: "1.2.840.113549.1.5.12",
  ed25519: "1.3.101.112",
};
const PRF = {  // PBKDF2's pseudo-random function; SHA-1 when the file names none (RFC 8018)
  "1.2.840.113549.2.7": "SHA-1",
  "1.2.840.113549.2.9": "SHA-256",
  "1.2.840.113549.2.10": "SHA-384",
  "1.2.840.113549.2.11": "SHA-512",
};
const AES_CBC = {  // AES-CBC key lengths (WebCrypto has no 192-bit AES in Chromium)
  "2.16.840.1.101.3.4.1.2": 128,
  "2.16.840.1.101.3.4.1.42": 256,
};

/** A failure said to the signer by one of the page's translated messages. */
class SigningProblem extends Error {
  constructor(message, values = {}) {
    super(message);
    this.values = values;
  }
}

function pemBody(text, label) {
  const found = text.match(new RegExp(`-----BEGIN ${label}-----([^-]*)-----END ${label}-----`));
  if (!found) return null;
  const binary = atob(found[1].replace(/\s+/g, ""));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

function contentOf(node, der) {
  const start = node.posContent();
  return der.slice(start, start + node.length);
}

function oidOf(node) {
  if (!node || node.typeName() !== "OBJECT_IDENTIFIER") throw new SigningProblem("not-a-key");
  return node.content().split("\n")[0];
}

function integerOf(node) {
  if (!node || node.typeName() !== "INTEGER") throw new SigningProblem("unsupported");
  return Number(node.content().split("\n").pop());
}

/** The encryption parameters and the encrypted key of an EncryptedPrivateKeyInfo. */
function readEncryptedKey(der) {
  let top;
  try {
    top = ASN1.decode(der);
  } catch {
    throw new SigningProblem("not-a-key");
  }
  const [algorithm, data] = top.sub || [];
  if (!algorithm || !algorithm.sub || !data || data.typeName() !== "OCTET_STRING") {
    throw new SigningProblem("not-a-key");
  }
  if (oidOf(algorithm.sub[0]) !== OID.pbes2) throw new SigningProblem("unsupported");
  const [kdf, scheme] = algorithm.sub[1].sub || [];
  if (!kdf || !scheme || oidOf(kdf.sub[0]) !== OID.pbkdf2) throw new SigningProblem("unsupported");
  const [salt, count, ...rest] = kdf.sub[1].sub;
  let hash = "SHA-1";
  for (const part of rest) {
    if (part.typeName() === "SEQUENCE") {
      hash = PRF[oidOf(part.sub[0])];
      if (!hash) throw new SigningProblem("unsupported");
    }
  }
  const bits = AES_CBC[oidOf(scheme.sub[0])];
  if (!bits || !scheme.sub[1] || scheme.sub[1].typeName() !== "OCTET_STRING") {
    throw new SigningProblem("unsupported");
  }
  return {
    salt: contentOf(salt, der),
    iterations: integerOf(count),
    hash,
    bits,
    iv: contentOf(scheme.sub[1], der),
    encrypted: contentOf(data, der),
  };
}

async function decryptKey(file, passphrase) {
  const text = await file.text();
  if (pemBody(text, "PRIVATE KEY")) throw new SigningProblem("not-encrypted");
  const der = pemBody(text, "ENCRYPTED PRIVATE KEY");
  if (!der) throw new SigningProblem("not-a-key");
  const p = readEncryptedKey(der);
  const subtle = crypto.subtle;
  const base = await subtle.importKey(
    "raw", new TextEncoder().encode(passphrase), "PBKDF2", false, ["deriveKey"]);
  const aes = await subtle.deriveKey(
    { name: "PBKDF2", salt: p.salt, iterations: p.iterations, hash: p.hash },
    base, { name: "AES-CBC", length: p.bits }, false, ["decrypt"]);
  let pkcs8;
  try {
    pkcs8 = new Uint8Array(await subtle.decrypt({ name: "AES-CBC", iv: p.iv }, aes, p.encrypted));
  } catch {
    throw new SigningProblem("wrong-passphrase");  // the padding does not check out
  }
  try {
    let inner;
    try {
      inner = ASN1.decode(pkcs8);
    } catch {
      throw new SigningProblem("wrong-passphrase");  // decrypted into noise
    }
    const algorithm = inner.sub && inner.sub[1];
    if (!algorithm || !algorithm.sub || oidOf(algorithm.sub[0]) !== OID.ed25519) {
      throw new SigningProblem("not-ed25519");
    }
    // Extractable only to read the public half (its fingerprint); the key is dropped after.
    return await subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, true, ["sign"]);
  } finally {
    pkcs8.fill(0);
  }
}

function base64url(text) {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

function base64(bytes) {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

function hex(buffer) {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function fingerprintOf(key) {
  const jwk = await crypto.subtle.exportKey("jwk", key);
  return hex(await crypto.subtle.digest("SHA-256", base64url(jwk.x)));
}

function setUp(form) {
  const messages = document.getElementById("sign-messages");
  const error = document.getElementById("sign-error");
  const status = document.getElementById("sign-status");
  const button = document.getElementById("sign-button");
  const words = (name, values = {}) => {
    const item = messages.querySelector(`[data-message="${name}"]`);
    let text = item ? item.textContent : name;
    for (const [k, v] of Object.entries(values)) text = text.replace(`{${k}}`, v);
    return text;
  };
  const say = (name, values) => {
    error.hidden = true;
    status.textContent = name ? words(name, values) : "";
  };
  const refuse = (name, values) => {
    status.textContent = "";
    error.textContent = words(name, values);
    error.hidden = false;
    button.disabled = false;
  };
  const order = Uint8Array.from(atob(form.dataset.order), (ch) => ch.charCodeAt(0));
  const keys = new Set(form.dataset.keys.split(" ").filter(Boolean));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = document.getElementById("key-file").files[0];
    const passphrase = document.getElementById("passphrase");
    if (!file || !passphrase.value) return refuse("no-file");
    if (!window.isSecureContext || !crypto.subtle) return refuse("no-webcrypto");
    button.disabled = true;
    say("working");
    try {
      if (hex(await crypto.subtle.digest("SHA-256", order)) !== form.dataset.sha256) {
        throw new SigningProblem("not-a-key");  // never: the page carries what it shows
      }
      const key = await decryptKey(file, passphrase.value);
      const fingerprint = await fingerprintOf(key);
      if (!keys.has(fingerprint)) throw new SigningProblem("other-key", { key: fingerprint });
      const signature = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key, order));
      passphrase.value = "";
      document.getElementById("signature").value = base64(signature);
      document.getElementById("key").value = fingerprint;
      say("sending", { key: fingerprint });
      form.submit();  // only the named fields: the CSRF token, the signature, the fingerprint
    } catch (err) {
      if (err instanceof SigningProblem) return refuse(err.message, err.values);
      if (err && err.name === "NotSupportedError") return refuse("no-webcrypto");
      if (err && err.name === "DataError") return refuse("wrong-passphrase");
      return refuse("not-a-key");
    }
  });
}

const form = document.getElementById("sign-form");
if (form) setUp(form);

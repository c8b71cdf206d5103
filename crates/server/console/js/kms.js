// KMS operations the console uses, each one public KMS API call.

import { json } from "./aws.js";

const kms = (op, input) => json("kms", op, input);

/** Every key with its metadata and aliases. */
export async function listKeys() {
  const keys = [];
  let marker;
  do {
    const page = await kms("ListKeys", marker ? { Marker: marker } : {});
    keys.push(...page.Keys);
    marker = page.Truncated ? page.NextMarker : null;
  } while (marker);
  const aliases = await listAliases();
  return Promise.all(keys.map(async (k) => {
    const { KeyMetadata } = await kms("DescribeKey", { KeyId: k.KeyId });
    return { ...KeyMetadata, Aliases: aliases.filter((a) => a.TargetKeyId === k.KeyId).map((a) => a.AliasName) };
  }));
}

export async function listAliases(keyId) {
  const out = [];
  let marker;
  do {
    const input = keyId ? { KeyId: keyId } : {};
    if (marker) input.Marker = marker;
    const page = await kms("ListAliases", input);
    out.push(...page.Aliases);
    marker = page.Truncated ? page.NextMarker : null;
  } while (marker);
  return out;
}

export const describeKey = (keyId) => kms("DescribeKey", { KeyId: keyId }).then((r) => r.KeyMetadata);
export const createKey = (input) => kms("CreateKey", input).then((r) => r.KeyMetadata);
export const enableKey = (keyId) => kms("EnableKey", { KeyId: keyId });
export const disableKey = (keyId) => kms("DisableKey", { KeyId: keyId });
export const scheduleDeletion = (keyId, days) =>
  kms("ScheduleKeyDeletion", { KeyId: keyId, PendingWindowInDays: days });
export const cancelDeletion = (keyId) => kms("CancelKeyDeletion", { KeyId: keyId });
export const createAlias = (keyId, name) => kms("CreateAlias", { TargetKeyId: keyId, AliasName: name });
export const deleteAlias = (name) => kms("DeleteAlias", { AliasName: name });
export const getKeyPolicy = (keyId) =>
  kms("GetKeyPolicy", { KeyId: keyId, PolicyName: "default" }).then((r) => r.Policy);
export const putKeyPolicy = (keyId, policy) =>
  kms("PutKeyPolicy", { KeyId: keyId, PolicyName: "default", Policy: policy });
export const rotationStatus = (keyId) => kms("GetKeyRotationStatus", { KeyId: keyId });
export const enableRotation = (keyId) => kms("EnableKeyRotation", { KeyId: keyId });
export const disableRotation = (keyId) => kms("DisableKeyRotation", { KeyId: keyId });
/** Every grant on a key (ListGrants, all pages). */
export async function listGrants(keyId) {
  const out = [];
  let marker;
  do {
    const page = await kms("ListGrants", marker ? { KeyId: keyId, Marker: marker } : { KeyId: keyId });
    out.push(...page.Grants);
    marker = page.Truncated ? page.NextMarker : null;
  } while (marker);
  return out;
}

export const createGrant = (input) => kms("CreateGrant", input);
export const retireGrant = (keyId, grantId) => kms("RetireGrant", { KeyId: keyId, GrantId: grantId });
export const revokeGrant = (keyId, grantId) => kms("RevokeGrant", { KeyId: keyId, GrantId: grantId });

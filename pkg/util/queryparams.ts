// Query parameters decoded into options structs as kube-apiserver's parameter codec
// does (k8s.io/apimachinery/pkg/runtime Convert_Slice_string_To_bool).

/**
 * A boolean query parameter: absent, "0" or "false" in any case is false; any other value,
 * the empty one included ("?watch", "watch=True", "force=t"), is true.
 */
export function queryBool(v: string | null | undefined): boolean {
  if (v === undefined || v === null) return false;
  return !(v === '0' || v.toLowerCase() === 'false');
}

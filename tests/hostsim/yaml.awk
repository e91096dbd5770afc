# Flattens the block YAML kubeplan writes (maps, lists, quoted or plain scalars, `---`
# between documents) into KIND.path=value lines, e.g.
#   InitConfiguration.nodeRegistration.kubeletExtraArgs[0].name=node-ip
# so the bash stubs can read kubeadm's configuration. Flow collections ([], {}) come out
# as written. Not a YAML parser: enough for the generated files, which the artifacts test
# parses with a real one.

function unquote(v) {
  if (v ~ /^".*"$/ || v ~ /^'.*'$/) v = substr(v, 2, length(v) - 2)
  return v
}

function path(   p, k) {
  p = ""
  for (k = 1; k <= depth; k++) p = (p == "" || name[k] ~ /^\[/) ? p name[k] : p "." name[k]
  return p
}

function join(p, key) {
  return p == "" ? key : p "." key
}

function flush(   k) {
  for (k = 1; k <= n; k++) print (kind == "" ? "_" : kind) "." out[k]
  n = 0
  kind = ""
  depth = 0
  delete count
}

# A `key: value` or `key:` at indent `ind`.
function keyline(ind, body,   key, value, p) {
  while (depth > 0 && indent[depth] >= ind) depth--
  key = body
  sub(/:.*/, "", key)
  value = body
  sub(/^[^:]*:[ ]*/, "", value)
  p = join(path(), unquote(key))
  if (value == "") {
    depth++
    indent[depth] = ind
    name[depth] = unquote(key)
    item[depth] = 0
  } else {
    out[++n] = p "=" unquote(value)
    if (p == "kind") kind = unquote(value)
  }
}

/^---/ { flush(); next }
/^[ ]*(#|$)/ { next }
{
  line = $0
  sub(/\r$/, "", line)
  match(line, /^ */)
  ind = RLENGTH
  body = substr(line, ind + 1)
  if (body !~ /["']/) sub(/[ \t]+#.*$/, "", body)
  if (body ~ /^- / || body == "-") {
    while (depth > 0 && (indent[depth] > ind || (indent[depth] == ind && item[depth]))) depth--
    p = path()
    idx = count[p]++
    depth++
    indent[depth] = ind
    name[depth] = "[" idx "]"
    item[depth] = 1
    rest = substr(body, 3)
    if (rest ~ /^[^ "'{[][^:]*:( |$)/) keyline(ind + 2, rest)
    else if (rest != "") out[++n] = path() "=" unquote(rest)
    next
  }
  keyline(ind, body)
}
END { flush() }

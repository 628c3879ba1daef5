/* The Jaeger query-API reader for the shape nearly every export has, in C.
 *
 * Why: reading a big trace through msgspec builds the whole document in file order, then the
 * spans are built from it in file order, and every later pass reads them in time order, out of
 * cache (benchmarks/README.md, stop 13).  This reader scans the bytes once, keeping each span's
 * scalars in a compact record, sorts the records by (start, span id), and only then builds the
 * Python objects, in time order.
 *
 * What: exactly the spans `typed._PlainSpans.build` makes (same classes, same values), for input
 * where that builder would take every span (plus logs, which the general builder turns into
 * events): canonical 16-hex span ids, one CHILD_OF reference or none, integer times, no inline
 * process, no warnings, tags with scalar values.  For
 * anything else - or anything it is not sure of: invalid JSON, invalid UTF-8, escaped keys,
 * repeated fields, deep nesting, numbers outside int64 - `read` returns None and the caller
 * takes the general path, which has every rule and repair.  It never raises.
 *
 * Safety: the input is untrusted.  Every read is bounds-checked against `end`; nesting is
 * capped at MAX_DEPTH; tables grow by doubling with overflow checks.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64
#define BAIL (-1)

typedef const unsigned char *cursor;

/* What `configure` is given: the model's classes, shared strings and the Python rules this file
 * does not repeat (a span's status, a typed tag's conversion, a trace id's canonical form). */
static PyObject *SpanType, *KindNames, *Unspecified, *StatusUnset, *ChildOf;
static PyObject *SpanStatus, *TypedValue, *TraceKey, *LogEvent;
static PyObject *KeySpanKind, *KeyError, *KeyStatusCode, *KeyStatusDescription;
static PyObject *TypeNames[5]; /* "string", "bool", "int64", "float64", "binary" */
static const char *TypeSpelling[5] = {"string", "bool", "int64", "float64", "binary"};
static PyObject *EmptyText, *EmptyTuple;

/* ---- tables ------------------------------------------------------------------------------ */

/* Raw string bytes (no escapes) -> one interned str: tag keys, operation names, process ids. */
typedef struct {
    uint64_t hash;
    cursor ptr;
    Py_ssize_t len;
    PyObject *text;
} NameSlot;

typedef struct {
    NameSlot *slots;
    size_t cap, used;
} Names;

/* A span id's 64-bit value -> its canonical text, made when first needed. */
typedef struct {
    uint64_t id;
    PyObject *text;
} IdSlot;

typedef struct {
    IdSlot *slots;
    size_t cap;
} Ids;

/* One span's scalars, kept from the scan until its object is built. */
typedef struct {
    int64_t start, duration;
    uint64_t id, parent;
    PyObject *name, *pid; /* borrowed from Names */
    cursor tags;          /* the tags array's '[', or NULL */
    cursor logs;          /* the logs array's '[' when it has any, or NULL */
    uint32_t pos;
    uint8_t has_parent;
} Rec;

typedef struct {
    cursor p, end;
    Names names, values;
    unsigned char *scratch;
    size_t scratch_cap;
    Rec *recs;
    size_t n_recs, cap_recs;
    /* per trace */
    cursor span_tid;
    Py_ssize_t span_tid_len;
} Parser;

static uint64_t hash_bytes(cursor s, Py_ssize_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (Py_ssize_t i = 0; i < n; i++) h = (h ^ s[i]) * 1099511628211ULL;
    return h ? h : 1;
}

static int names_grow(Names *t) {
    size_t cap = t->cap ? t->cap * 2 : 256;
    NameSlot *slots = calloc(cap, sizeof(NameSlot));
    if (!slots) return BAIL;
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->slots[i].hash) continue;
        size_t j = t->slots[i].hash & (cap - 1);
        while (slots[j].hash) j = (j + 1) & (cap - 1);
        slots[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
    return 0;
}

static void names_free(Names *t) {
    for (size_t i = 0; i < t->cap; i++) Py_XDECREF(t->slots[i].text);
    free(t->slots);
    t->slots = NULL;
    t->cap = t->used = 0;
}

static uint64_t mix(uint64_t id) { return id * 0x9E3779B97F4A7C15ULL; }

static int ids_init(Ids *t, size_t n) {
    size_t cap = 64;
    while (cap < 4 * n + 16) {
        if (cap > SIZE_MAX / 4) return BAIL;
        cap *= 2;
    }
    t->slots = calloc(cap, sizeof(IdSlot));
    t->cap = t->slots ? cap : 0;
    return t->slots ? 0 : BAIL;
}

static void ids_free(Ids *t) {
    for (size_t i = 0; i < t->cap; i++) Py_XDECREF(t->slots[i].text);
    free(t->slots);
    t->slots = NULL;
    t->cap = 0;
}

/* The canonical text of a (non-zero) id, one object per id: a span's own id and its children's
 * references to it are the same object, as IdCanon makes them. Borrowed. */
static PyObject *id_text(Ids *t, uint64_t id) {
    size_t j = (mix(id) >> 20) & (t->cap - 1);
    while (t->slots[j].id && t->slots[j].id != id) j = (j + 1) & (t->cap - 1);
    if (t->slots[j].id) return t->slots[j].text;
    PyObject *text = PyUnicode_New(16, 127);
    if (!text) return NULL;
    Py_UCS1 *out = PyUnicode_1BYTE_DATA(text);
    uint64_t rest = id;
    for (int i = 15; i >= 0; i--) {
        out[i] = (Py_UCS1)"0123456789abcdef"[rest & 15];
        rest >>= 4;
    }
    t->slots[j].id = id;
    t->slots[j].text = text;
    return text;
}

/* ---- JSON scanning ----------------------------------------------------------------------- */

static inline void skip_ws(Parser *p) {
    while (p->p < p->end && (*p->p == ' ' || *p->p == '\n' || *p->p == '\r' || *p->p == '\t'))
        p->p++;
}

static inline int peek(Parser *p) {
    skip_ws(p);
    return p->p < p->end ? *p->p : -1;
}

static inline int expect(Parser *p, unsigned char c) {
    if (peek(p) != c) return BAIL;
    p->p++;
    return 0;
}

static int literal(Parser *p, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(p->end - p->p) < n || memcmp(p->p, word, n) != 0) return BAIL;
    p->p += n;
    return 0;
}

static int hex4(cursor s, cursor end, unsigned *out) {
    if (end - s < 4) return BAIL;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = s[i], d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return BAIL;
        v = v * 16 + d;
    }
    *out = v;
    return 0;
}

/* Length of the valid UTF-8 sequence at s (2-4 bytes), or 0: no overlongs, no surrogates, nothing
 * past U+10FFFF - what Python's strict decoder accepts. */
static int utf8_seq(cursor s, cursor end) {
    unsigned c = s[0];
    Py_ssize_t avail = end - s;
#define CONT(k) (avail > (k) && (s[k] & 0xC0) == 0x80)
    if (c >= 0xC2 && c <= 0xDF) return CONT(1) ? 2 : 0;
    if (c == 0xE0) return CONT(1) && s[1] >= 0xA0 && CONT(2) ? 3 : 0;
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return CONT(1) && CONT(2) ? 3 : 0;
    if (c == 0xED) return CONT(1) && s[1] <= 0x9F && CONT(2) ? 3 : 0;
    if (c == 0xF0) return CONT(1) && s[1] >= 0x90 && CONT(2) && CONT(3) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3) return CONT(1) && CONT(2) && CONT(3) ? 4 : 0;
    if (c == 0xF4) return CONT(1) && s[1] <= 0x8F && CONT(2) && CONT(3) ? 4 : 0;
#undef CONT
    return 0;
}

enum { STR_ESCAPED = 1, STR_HIGH = 2 };

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Non-zero when some byte of v is zero (it may also flag bytes above a zero one, which only
 * sends the scan to the byte-at-a-time loop early). */
static inline uint64_t has_zero(uint64_t v) { return (v - ONES) & ~v & HIGHS; }

/* A string at the cursor ('"'), fully checked: its raw content [*s, *s + *n) and flags. Escapes
 * must be JSON's, \u surrogates must pair, raw bytes must be valid UTF-8. */
static int scan_string(Parser *p, cursor *s, Py_ssize_t *n, int *flags) {
    if (peek(p) != '"') return BAIL;
    cursor q = ++p->p, end = p->end;
    int f = 0;
    for (;;) {
        /* Eight bytes at a time while none of them needs a look: most strings end here. */
        while (end - q >= 8) {
            uint64_t w;
            memcpy(&w, q, 8);
            if (has_zero(w ^ (ONES * '"')) | has_zero(w ^ (ONES * '\\'))
                | ((w - ONES * 0x20) & ~w & HIGHS) | (w & HIGHS))
                break;
            q += 8;
        }
        while (q < end && *q >= 0x20 && *q < 0x80 && *q != '"' && *q != '\\') q++;
        if (q >= end) return BAIL;
        unsigned c = *q;
        if (c == '"') break;
        if (c < 0x20) return BAIL;
        if (c >= 0x80) {
            int k = utf8_seq(q, end);
            if (!k) return BAIL;
            q += k;
            f |= STR_HIGH;
            continue;
        }
        /* a backslash */
        f |= STR_ESCAPED;
        if (end - q < 2) return BAIL;
        c = q[1];
        if (c == 'u') {
            unsigned cp;
            if (hex4(q + 2, end, &cp)) return BAIL;
            q += 6;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return BAIL;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned low;
                if (end - q < 6 || q[0] != '\\' || q[1] != 'u' || hex4(q + 2, end, &low)
                    || low < 0xDC00 || low > 0xDFFF)
                    return BAIL;
                q += 6;
            }
        } else if (strchr("\"\\/bfnrt", (int)c) && c) {
            q += 2;
        } else {
            return BAIL;
        }
    }
    *s = p->p;
    *n = q - p->p;
    *flags = f;
    p->p = q + 1;
    return 0;
}

static int scratch_room(Parser *p, size_t need) {
    if (need <= p->scratch_cap) return 0;
    size_t cap = p->scratch_cap ? p->scratch_cap : 256;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) return BAIL;
        cap *= 2;
    }
    unsigned char *buf = realloc(p->scratch, cap);
    if (!buf) return BAIL;
    p->scratch = buf;
    p->scratch_cap = cap;
    return 0;
}

static void put_utf8(unsigned char **o, unsigned cp) {
    unsigned char *out = *o;
    if (cp < 0x80) *out++ = (unsigned char)cp;
    else if (cp < 0x800) {
        *out++ = (unsigned char)(0xC0 | (cp >> 6));
        *out++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *out++ = (unsigned char)(0xE0 | (cp >> 12));
        *out++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        *out++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        *out++ = (unsigned char)(0xF0 | (cp >> 18));
        *out++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        *out++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        *out++ = (unsigned char)(0x80 | (cp & 0x3F));
    }
    *o = out;
}

/* A str from a string already checked by scan_string. New reference. */
static PyObject *make_text(Parser *p, cursor s, Py_ssize_t n, int flags) {
    if (!(flags & STR_ESCAPED)) {
        if (flags & STR_HIGH) return PyUnicode_DecodeUTF8((const char *)s, n, NULL);
        PyObject *text = PyUnicode_New(n, 127);
        if (text) memcpy(PyUnicode_1BYTE_DATA(text), s, (size_t)n);
        return text;
    }
    /* Unescaped text is never longer than the escaped form. */
    if (scratch_room(p, (size_t)n + 4)) return PyErr_NoMemory();
    unsigned char *out = p->scratch;
    cursor q = s, end = s + n;
    while (q < end) {
        if (*q != '\\') {
            *out++ = *q++;
            continue;
        }
        unsigned c = q[1];
        if (c == 'u') {
            unsigned cp, low;
            hex4(q + 2, end, &cp);
            q += 6;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                hex4(q + 2, end, &low);
                q += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            }
            put_utf8(&out, cp);
            continue;
        }
        switch (c) {
            case 'b': *out++ = '\b'; break;
            case 'f': *out++ = '\f'; break;
            case 'n': *out++ = '\n'; break;
            case 'r': *out++ = '\r'; break;
            case 't': *out++ = '\t'; break;
            default: *out++ = (unsigned char)c; break; /* " \ / */
        }
        q += 2;
    }
    return PyUnicode_DecodeUTF8((const char *)p->scratch, out - p->scratch, NULL);
}

/* One str per distinct raw string in table `t`, interned when `intern`. Borrowed reference. */
static PyObject *cached_text(Parser *p, Names *t, int intern, cursor s, Py_ssize_t n, int flags) {
    if (flags & STR_ESCAPED) { /* rare: decode, and keep it alive in a slot keyed by no bytes */
        if (2 * (t->used + 1) > t->cap && names_grow(t)) return PyErr_NoMemory();
        PyObject *text = make_text(p, s, n, flags);
        if (!text) return NULL;
        if (intern) PyUnicode_InternInPlace(&text);
        uint64_t h = (uint64_t)(uintptr_t)text | 1;
        size_t j = h & (t->cap - 1);
        while (t->slots[j].hash) j = (j + 1) & (t->cap - 1);
        t->slots[j] = (NameSlot){h, NULL, -1, text};
        t->used++;
        return text;
    }
    uint64_t h = hash_bytes(s, n);
    if (t->cap) {
        size_t j = h & (t->cap - 1);
        for (; t->slots[j].hash; j = (j + 1) & (t->cap - 1)) {
            NameSlot *slot = &t->slots[j];
            if (slot->hash == h && slot->len == n && memcmp(slot->ptr, s, (size_t)n) == 0)
                return slot->text;
        }
    }
    if (2 * (t->used + 1) > t->cap && names_grow(t)) return PyErr_NoMemory();
    PyObject *text = make_text(p, s, n, flags);
    if (!text) return NULL;
    if (intern) PyUnicode_InternInPlace(&text);
    size_t j = h & (t->cap - 1);
    while (t->slots[j].hash) j = (j + 1) & (t->cap - 1);
    t->slots[j] = (NameSlot){h, s, n, text};
    t->used++;
    return text;
}

/* Keys, operation names, process ids: few, and compared often - interned, as the other readers
 * intern them. */
static PyObject *name_text(Parser *p, cursor s, Py_ssize_t n, int flags) {
    return cached_text(p, &p->names, 1, s, n, flags);
}

/* Short tag values repeat on most spans (kinds, components, routes, hosts): one object each
 * saves an allocation per tag and keeps them together in memory. */
#define SHARED_VALUE_BYTES 64

enum { NUM_INT, NUM_FLOAT };

/* A JSON number at the cursor: an int64, or a finite double. */
static int scan_number(Parser *p, int *kind, int64_t *iv, double *dv) {
    skip_ws(p);
    cursor s = p->p, q = s, end = p->end;
    int negative = 0;
    if (q < end && *q == '-') {
        negative = 1;
        q++;
    }
    if (q >= end || *q < '0' || *q > '9') return BAIL;
    cursor digits = q;
    if (*q == '0') q++;
    else
        while (q < end && *q >= '0' && *q <= '9') q++;
    cursor digits_end = q;
    int is_int = 1;
    if (q < end && *q == '.') {
        q++;
        if (q >= end || *q < '0' || *q > '9') return BAIL;
        while (q < end && *q >= '0' && *q <= '9') q++;
        is_int = 0;
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < end && (*q == '+' || *q == '-')) q++;
        if (q >= end || *q < '0' || *q > '9') return BAIL;
        while (q < end && *q >= '0' && *q <= '9') q++;
        is_int = 0;
    }
    if (q < end && *q >= '0' && *q <= '9') return BAIL; /* a leading zero: "01" */
    p->p = q;
    if (is_int) {
        uint64_t v = 0;
        for (cursor d = digits; d < digits_end; d++) {
            unsigned digit = (unsigned)(*d - '0');
            if (v > (UINT64_MAX - digit) / 10) return BAIL;
            v = v * 10 + digit;
        }
        if (negative ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX) return BAIL;
        *iv = negative ? (int64_t)(0 - v) : (int64_t)v;
        *kind = NUM_INT;
        return 0;
    }
    char buf[128];
    if (q - s >= (Py_ssize_t)sizeof(buf)) return BAIL;
    memcpy(buf, s, (size_t)(q - s));
    buf[q - s] = 0;
    char *stop = NULL;
    double v = PyOS_string_to_double(buf, &stop, NULL);
    if ((v == -1.0 && PyErr_Occurred()) || stop != buf + (q - s) || !isfinite(v)) {
        PyErr_Clear();
        return BAIL;
    }
    *dv = v;
    *kind = NUM_FLOAT;
    return 0;
}

static int skip_value(Parser *p, int depth);

static int skip_container(Parser *p, int depth, unsigned char close, int keyed) {
    if (depth > MAX_DEPTH) return BAIL;
    p->p++;
    if (peek(p) == close) {
        p->p++;
        return 0;
    }
    for (;;) {
        if (keyed) {
            cursor s;
            Py_ssize_t n;
            int flags;
            if (scan_string(p, &s, &n, &flags) || expect(p, ':')) return BAIL;
        }
        if (skip_value(p, depth + 1)) return BAIL;
        int c = peek(p);
        if (c != ',' && c != close) return BAIL;
        p->p++;
        if (c == close) return 0;
    }
}

/* Any JSON value, checked as strictly as it would be read, and dropped. */
static int skip_value(Parser *p, int depth) {
    cursor s;
    Py_ssize_t n;
    int flags, kind;
    int64_t iv;
    double dv;
    switch (peek(p)) {
        case '"': return scan_string(p, &s, &n, &flags);
        case '{': return skip_container(p, depth, '}', 1);
        case '[': return skip_container(p, depth, ']', 0);
        case 't': return literal(p, "true");
        case 'f': return literal(p, "false");
        case 'n': return literal(p, "null");
        case -1: return BAIL;
        default: return scan_number(p, &kind, &iv, &dv);
    }
}

/* After a member of an object or array: 1 for another, 0 at the close, BAIL otherwise. */
static int next_member(Parser *p, unsigned char close) {
    int c = peek(p);
    if (c != ',' && c != close) return BAIL;
    p->p++;
    return c == ',';
}

/* The opening of an object or array: 1 when it has members, 0 when empty. */
static int open_container(Parser *p, unsigned char open, unsigned char close) {
    if (expect(p, open)) return BAIL;
    if (peek(p) == close) {
        p->p++;
        return 0;
    }
    return 1;
}

/* A member's key, which must be plain (an escaped key might spell a field's name). */
static int plain_key(Parser *p, cursor *s, Py_ssize_t *n) {
    int flags;
    if (scan_string(p, s, n, &flags) || (flags & STR_ESCAPED) || expect(p, ':')) return BAIL;
    return 0;
}

#define IS(s, n, word) ((n) == (Py_ssize_t)(sizeof(word) - 1) && memcmp((s), (word), (n)) == 0)

/* A field seen twice: the decoder we stand in for might keep either copy, so leave it to it. */
#define ONCE(seen, bit) \
    do { \
        if ((seen) & (bit)) return BAIL; \
        (seen) |= (bit); \
    } while (0)

/* ---- tags -------------------------------------------------------------------------------- */

/* A scalar tag value at the cursor, as the decoder makes it. New reference. */
static PyObject *scalar_value(Parser *p) {
    cursor s;
    Py_ssize_t n;
    int flags, kind;
    int64_t iv;
    double dv;
    switch (peek(p)) {
        case '"':
            if (scan_string(p, &s, &n, &flags)) return NULL;
            if (n > SHARED_VALUE_BYTES || (flags & STR_ESCAPED)) return make_text(p, s, n, flags);
            return Py_XNewRef(cached_text(p, &p->values, 0, s, n, flags));
        case 't': return literal(p, "true") ? NULL : Py_NewRef(Py_True);
        case 'f': return literal(p, "false") ? NULL : Py_NewRef(Py_False);
        case 'n': return literal(p, "null") ? NULL : Py_NewRef(Py_None);
        case '{': case '[': case -1: return NULL; /* nested values: the general path */
        default:
            if (scan_number(p, &kind, &iv, &dv)) return NULL;
            return kind == NUM_INT ? PyLong_FromLongLong(iv) : PyFloat_FromDouble(dv);
    }
}

/* One {"key", "value", "type"} object; with `into`, its entry is added to that dict. */
static int parse_tag(Parser *p, PyObject *into) {
    cursor key_s = NULL, value_at = NULL, k;
    Py_ssize_t key_n = 0, kn;
    int key_flags = 0, type_ix = 0, seen = 0, more = open_container(p, '{', '}');
    while (more > 0) {
        if (plain_key(p, &k, &kn)) return BAIL;
        if (IS(k, kn, "key")) {
            ONCE(seen, 1);
            if (scan_string(p, &key_s, &key_n, &key_flags)) return BAIL;
        } else if (IS(k, kn, "value")) {
            ONCE(seen, 2);
            skip_ws(p);
            value_at = p->p;
            int c = peek(p);
            if (c == '{' || c == '[' || skip_value(p, 1)) return BAIL;
        } else if (IS(k, kn, "type")) {
            cursor t;
            Py_ssize_t tn;
            int tf;
            ONCE(seen, 4);
            if (scan_string(p, &t, &tn, &tf) || (tf & STR_ESCAPED)) return BAIL;
            for (type_ix = 0; type_ix < 5; type_ix++)
                if (tn == (Py_ssize_t)strlen(TypeSpelling[type_ix])
                    && memcmp(t, TypeSpelling[type_ix], (size_t)tn) == 0)
                    break;
            if (type_ix == 5) return BAIL; /* a type the decoder does not know */
        } else if (skip_value(p, 1)) {
            return BAIL;
        }
        more = next_member(p, '}');
    }
    if (more < 0 || !(seen & 1)) return BAIL; /* a tag without a key */
    if (!into) return 0;

    PyObject *key = name_text(p, key_s, key_n, key_flags), *value;
    if (!key) return BAIL;
    if (value_at) {
        cursor after = p->p;
        p->p = value_at;
        value = scalar_value(p);
        p->p = after;
    } else {
        value = Py_NewRef(Py_None);
    }
    if (!value) return BAIL;
    if (type_ix != 0 && PyUnicode_CheckExact(value)) { /* only text is converted */
        PyObject *typed = PyObject_CallFunctionObjArgs(TypedValue, TypeNames[type_ix], value, NULL);
        Py_DECREF(value);
        if (!typed) return BAIL;
        value = typed;
    }
    int rc = PyDict_SetItem(into, key, value);
    Py_DECREF(value);
    return rc ? BAIL : 0;
}

static int parse_tags(Parser *p, PyObject *into) {
    int more = open_container(p, '[', ']');
    while (more > 0) {
        if (parse_tag(p, into)) return BAIL;
        more = next_member(p, ']');
    }
    return more < 0 ? BAIL : 0;
}

/* ---- logs -------------------------------------------------------------------------------- */

static int time_value(Parser *p, int64_t *out) {
    int kind;
    double dv;
    if (scan_number(p, &kind, out, &dv) || kind != NUM_INT) return BAIL;
    return 0;
}


/* One {"timestamp", "fields"} object; with `events`, its Event is appended to that list. */
static int parse_log(Parser *p, PyObject *events) {
    cursor k, fields = NULL;
    Py_ssize_t kn;
    int64_t timestamp = 0;
    int seen = 0, more = open_container(p, '{', '}');
    while (more > 0) {
        if (plain_key(p, &k, &kn)) return BAIL;
        if (IS(k, kn, "timestamp")) {
            ONCE(seen, 1);
            if (time_value(p, &timestamp)) return BAIL;
        } else if (IS(k, kn, "fields")) {
            ONCE(seen, 2);
            skip_ws(p);
            fields = p->p;
            if (parse_tags(p, NULL)) return BAIL;
        } else if (skip_value(p, 1)) {
            return BAIL;
        }
        more = next_member(p, '}');
    }
    if (more < 0) return BAIL;
    if (!events) return 0;
    cursor after = p->p;
    PyObject *attributes = PyDict_New(), *time = NULL, *event = NULL;
    if (!attributes) return BAIL;
    p->p = fields;
    if ((!fields || !parse_tags(p, attributes)) && (time = PyLong_FromLongLong(timestamp)))
        event = PyObject_CallFunctionObjArgs(LogEvent, time, attributes, NULL);
    p->p = after;
    int rc = event && !PyList_Append(events, event) ? 0 : BAIL;
    Py_DECREF(attributes);
    Py_XDECREF(time);
    Py_XDECREF(event);
    return rc;
}

/* A span's logs: 1 when there are any, 0 when none, BAIL. With `events`, each log's Event is
 * appended to that list (the rules for its name are log_event's, in Python: logs are few). */
static int parse_logs(Parser *p, PyObject *events) {
    int more = open_container(p, '[', ']'), any = more > 0;
    while (more > 0) {
        if (parse_log(p, events)) return BAIL;
        more = next_member(p, ']');
    }
    return more < 0 ? BAIL : any;
}

/* ---- spans ------------------------------------------------------------------------------- */

/* A canonical span id: 16 lower-case hex digits, not all zero. */
static int span_id(Parser *p, uint64_t *out) {
    cursor s;
    Py_ssize_t n;
    int flags;
    if (scan_string(p, &s, &n, &flags) || n != 16) return BAIL;
    uint64_t v = 0;
    for (int i = 0; i < 16; i++) {
        unsigned c = s[i];
        if (c >= '0' && c <= '9') v = v * 16 + (c - '0');
        else if (c >= 'a' && c <= 'f') v = v * 16 + (c - 'a' + 10);
        else return BAIL;
    }
    if (!v) return BAIL;
    *out = v;
    return 0;
}

/* A trace id on a span or reference: absent, or the same raw text on every one of them (checked
 * against the trace's own once the trace is read). */
static int same_trace(Parser *p) {
    cursor s;
    Py_ssize_t n;
    int flags;
    if (scan_string(p, &s, &n, &flags) || (flags & STR_ESCAPED)) return BAIL;
    if (n == 0) return 0;
    if (!p->span_tid) {
        p->span_tid = s;
        p->span_tid_len = n;
        return 0;
    }
    return n == p->span_tid_len && memcmp(s, p->span_tid, (size_t)n) == 0 ? 0 : BAIL;
}


/* No references, or one CHILD_OF within the trace. */
static int parse_references(Parser *p, Rec *r) {
    int more = open_container(p, '[', ']');
    if (more <= 0) return more;
    cursor k, s;
    Py_ssize_t kn, n;
    int flags, seen = 0;
    more = open_container(p, '{', '}');
    while (more > 0) {
        if (plain_key(p, &k, &kn)) return BAIL;
        if (IS(k, kn, "refType")) {
            ONCE(seen, 1);
            if (scan_string(p, &s, &n, &flags) || !IS(s, n, "CHILD_OF")) return BAIL;
        } else if (IS(k, kn, "traceID")) {
            ONCE(seen, 2);
            if (same_trace(p)) return BAIL;
        } else if (IS(k, kn, "spanID")) {
            ONCE(seen, 4);
            if (span_id(p, &r->parent)) return BAIL;
        } else if (skip_value(p, 1)) {
            return BAIL;
        }
        more = next_member(p, '}');
    }
    if (more < 0 || (seen & 5) != 5) return BAIL;
    r->has_parent = 1;
    return next_member(p, ']') == 0 ? 0 : BAIL; /* a second reference: the general path */
}

static int empty_or_null(Parser *p) {
    if (peek(p) == 'n') return literal(p, "null");
    return open_container(p, '[', ']') == 0 ? 0 : BAIL;
}

static int add_record(Parser *p, const Rec *r) {
    if (p->n_recs == p->cap_recs) {
        size_t cap = p->cap_recs ? p->cap_recs * 2 : 1024;
        if (cap > SIZE_MAX / sizeof(Rec) || cap > UINT32_MAX) return BAIL;
        Rec *recs = realloc(p->recs, cap * sizeof(Rec));
        if (!recs) return BAIL;
        p->recs = recs;
        p->cap_recs = cap;
    }
    p->recs[p->n_recs++] = *r;
    return 0;
}

enum {
    F_ID = 1, F_TRACE = 2, F_NAME = 4, F_REFS = 8, F_PARENT = 16, F_START = 32,
    F_DURATION = 64, F_TAGS = 128, F_LOGS = 256, F_PID = 512, F_PROCESS = 1024, F_WARN = 2048,
};

static int parse_span(Parser *p) {
    Rec r = {0};
    r.name = r.pid = EmptyText;
    r.pos = (uint32_t)p->n_recs;
    cursor k, s;
    Py_ssize_t kn, n;
    int flags, seen = 0, more = open_container(p, '{', '}');
    while (more > 0) {
        if (plain_key(p, &k, &kn)) return BAIL;
        if (IS(k, kn, "spanID")) {
            ONCE(seen, F_ID);
            if (span_id(p, &r.id)) return BAIL;
        } else if (IS(k, kn, "traceID")) {
            ONCE(seen, F_TRACE);
            if (same_trace(p)) return BAIL;
        } else if (IS(k, kn, "operationName")) {
            ONCE(seen, F_NAME);
            if (scan_string(p, &s, &n, &flags) || !(r.name = name_text(p, s, n, flags)))
                return BAIL;
        } else if (IS(k, kn, "references")) {
            ONCE(seen, F_REFS);
            if (parse_references(p, &r)) return BAIL;
        } else if (IS(k, kn, "parentSpanID")) {
            ONCE(seen, F_PARENT);
            if (scan_string(p, &s, &n, &flags) || n != 0) return BAIL;
        } else if (IS(k, kn, "startTime")) {
            ONCE(seen, F_START);
            if (time_value(p, &r.start)) return BAIL;
        } else if (IS(k, kn, "duration")) {
            ONCE(seen, F_DURATION);
            if (time_value(p, &r.duration)) return BAIL;
        } else if (IS(k, kn, "tags")) {
            ONCE(seen, F_TAGS);
            skip_ws(p);
            r.tags = p->p;
            if (parse_tags(p, NULL)) return BAIL;
        } else if (IS(k, kn, "logs")) {
            ONCE(seen, F_LOGS);
            skip_ws(p);
            r.logs = p->p;
            int any = parse_logs(p, NULL);
            if (any < 0) return BAIL;
            if (!any) r.logs = NULL;
        } else if (IS(k, kn, "processID")) {
            ONCE(seen, F_PID);
            if (scan_string(p, &s, &n, &flags) || !(r.pid = name_text(p, s, n, flags)))
                return BAIL;
        } else if (IS(k, kn, "process")) {
            ONCE(seen, F_PROCESS);
            skip_ws(p);
            if (literal(p, "null")) return BAIL; /* an inline process: the general path */
        } else if (IS(k, kn, "warnings")) {
            ONCE(seen, F_WARN);
            if (empty_or_null(p)) return BAIL;
        } else if (skip_value(p, 1)) {
            return BAIL;
        }
        more = next_member(p, '}');
    }
    if (more < 0 || (seen & (F_ID | F_START | F_DURATION)) != (F_ID | F_START | F_DURATION))
        return BAIL;
    return add_record(p, &r);
}

/* ---- processes, traces, the document ----------------------------------------------------- */

/* {"serviceName", "tags"} -> (service, resource attributes). New reference. */
static PyObject *parse_process(Parser *p) {
    cursor k, s;
    Py_ssize_t kn, n;
    int flags, seen = 0, more = open_container(p, '{', '}');
    PyObject *service = NULL, *tags = PyDict_New(), *out = NULL;
    if (!tags) return NULL;
    while (more > 0) {
        if (plain_key(p, &k, &kn)) goto done;
        if (IS(k, kn, "serviceName")) {
            if (seen & 1) goto done;
            seen |= 1;
            if (scan_string(p, &s, &n, &flags) || !(service = make_text(p, s, n, flags)))
                goto done;
        } else if (IS(k, kn, "tags")) {
            if (seen & 2) goto done;
            seen |= 2;
            if (parse_tags(p, tags)) goto done;
        } else if (skip_value(p, 1)) {
            goto done;
        }
        more = next_member(p, '}');
    }
    if (more == 0) out = PyTuple_Pack(2, service ? service : EmptyText, tags);
done:
    Py_XDECREF(service);
    Py_DECREF(tags);
    return out;
}

static int parse_processes(Parser *p, PyObject *processes) {
    cursor s;
    Py_ssize_t n;
    int flags, more = open_container(p, '{', '}');
    while (more > 0) {
        PyObject *pid, *process;
        if (scan_string(p, &s, &n, &flags) || expect(p, ':')) return BAIL;
        if (!(pid = name_text(p, s, n, flags)) || !(process = parse_process(p))) return BAIL;
        int rc = PyDict_SetItem(processes, pid, process); /* a repeated id: the last, as decoded */
        Py_DECREF(process);
        if (rc) return BAIL;
        more = next_member(p, '}');
    }
    return more < 0 ? BAIL : 0;
}

static int by_time(const void *a, const void *b) {
    const Rec *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    if (x->id != y->id) return x->id < y->id ? -1 : 1; /* 16 hex digits: text order */
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int has_key(PyObject *dict, PyObject *key) { return PyDict_GetItemWithError(dict, key) != NULL; }

/* The span's kind from its span.kind tag, as `_PlainSpans.build` reads it. Borrowed; NULL for a
 * spelling it leaves to the general path. */
static PyObject *span_kind(PyObject *attributes) {
    PyObject *raw = PyDict_GetItemWithError(attributes, KeySpanKind);
    if (!raw || raw == Py_None) return PyErr_Occurred() ? NULL : Unspecified;
    if (!PyUnicode_CheckExact(raw)) return NULL;
    PyObject *kind = PyDict_GetItemWithError(KindNames, raw);
    return kind == Unspecified ? NULL : kind;
}

/* One Span from its record: the tags are read again from the bytes, now in time order. */
static PyObject *build_span(Parser *p, const Rec *r, Ids *ids, PyObject *trace_id,
                            PyObject *processes) {
    PyObject *span_id = id_text(ids, r->id);
    PyObject *parent = r->has_parent ? id_text(ids, r->parent) : Py_None;
    PyObject *process = PyDict_GetItemWithError(processes, r->pid);
    if (!span_id || !parent || !process) return NULL;
    PyObject *attributes = PyDict_New(), *status = NULL, *start = NULL, *duration = NULL;
    PyObject *span = NULL, *kind, *events = NULL;
    if (!attributes) return NULL;
    if (r->tags) {
        p->p = r->tags;
        if (parse_tags(p, attributes)) goto done;
    }
    if (r->logs) {
        PyObject *found = PyList_New(0);
        p->p = r->logs;
        if (found && parse_logs(p, found) >= 0) events = PyList_AsTuple(found);
        Py_XDECREF(found);
        if (!events) goto done;
    }
    if (!(kind = span_kind(attributes))) goto done;
    if (has_key(attributes, KeyError) || has_key(attributes, KeyStatusCode)
        || has_key(attributes, KeyStatusDescription)) {
        status = PyObject_CallOneArg(SpanStatus, attributes);
        if (!status || !PyTuple_CheckExact(status) || PyTuple_GET_SIZE(status) != 2) goto done;
    } else if (PyErr_Occurred()) {
        goto done;
    }
    if (!(start = PyLong_FromLongLong(r->start)) || !(duration = PyLong_FromLongLong(r->duration)))
        goto done;
    PyObject *args[15] = {
        trace_id, span_id, parent, PyTuple_GET_ITEM(process, 0), r->name, kind, start, duration,
        status ? PyTuple_GET_ITEM(status, 0) : StatusUnset,
        status ? PyTuple_GET_ITEM(status, 1) : EmptyText,
        attributes, PyTuple_GET_ITEM(process, 1), events ? events : EmptyTuple, EmptyTuple, ChildOf,
    };
    span = PyObject_Vectorcall(SpanType, args, 15, NULL);
done:
    Py_DECREF(attributes);
    Py_XDECREF(events);
    Py_XDECREF(status);
    Py_XDECREF(start);
    Py_XDECREF(duration);
    return span;
}

/* The trace's spans, built in (start, span id) order and appended to `out`. */
static int build_spans(Parser *p, PyObject *trace_id, PyObject *processes, PyObject *out) {
    qsort(p->recs, p->n_recs, sizeof(Rec), by_time);
    Ids ids = {0};
    if (ids_init(&ids, p->n_recs)) return BAIL;
    cursor resume = p->p; /* building reads the tags again, from wherever they are */
    int rc = 0;
    for (size_t i = 0; i < p->n_recs && !rc; i++) {
        PyObject *span = build_span(p, &p->recs[i], &ids, trace_id, processes);
        rc = !span || PyList_Append(out, span) ? BAIL : 0;
        Py_XDECREF(span);
    }
    ids_free(&ids);
    p->p = resume;
    return rc;
}

enum { T_ID = 1, T_SPANS = 2, T_PROCESSES = 4, T_WARN = 8 };

static int parse_trace(Parser *p, PyObject *out) {
    cursor k, tid = NULL;
    Py_ssize_t kn, tid_len = 0;
    int flags = 0, seen = 0, rc = BAIL, more = open_container(p, '{', '}');
    PyObject *processes = PyDict_New(), *raw_id = NULL, *trace_id = NULL;
    if (!processes) return BAIL;
    p->n_recs = 0;
    p->span_tid = NULL;
    while (more > 0) {
        if (plain_key(p, &k, &kn)) goto done;
        if (IS(k, kn, "traceID")) {
            if (seen & T_ID) goto done;
            seen |= T_ID;
            if (scan_string(p, &tid, &tid_len, &flags) || (flags & STR_ESCAPED)) goto done;
        } else if (IS(k, kn, "spans")) {
            if (seen & T_SPANS) goto done;
            seen |= T_SPANS;
            int spans = open_container(p, '[', ']');
            while (spans > 0) {
                if (parse_span(p)) goto done;
                spans = next_member(p, ']');
            }
            if (spans < 0) goto done;
        } else if (IS(k, kn, "processes")) {
            if (seen & T_PROCESSES) goto done;
            seen |= T_PROCESSES;
            if (parse_processes(p, processes)) goto done;
        } else if (IS(k, kn, "warnings")) {
            if (seen & T_WARN) goto done;
            seen |= T_WARN;
            if (empty_or_null(p)) goto done;
        } else if (skip_value(p, 1)) {
            goto done;
        }
        more = next_member(p, '}');
    }
    if (more < 0) goto done;
    if (p->n_recs == 0) {
        rc = 0;
        goto done;
    }
    /* Every span's own trace id (when it has one) is the trace's. */
    if (!tid_len || (p->span_tid && (p->span_tid_len != tid_len
                                      || memcmp(p->span_tid, tid, (size_t)tid_len) != 0)))
        goto done;
    if (!(raw_id = make_text(p, tid, tid_len, flags))) goto done;
    trace_id = PyObject_CallOneArg(TraceKey, raw_id);
    if (!trace_id || !PyUnicode_CheckExact(trace_id)) goto done; /* None: not a hex trace id */
    rc = build_spans(p, trace_id, processes, out);
done:
    Py_DECREF(processes);
    Py_XDECREF(raw_id);
    Py_XDECREF(trace_id);
    return rc;
}

static int parse_document(Parser *p, PyObject *out) {
    cursor k;
    Py_ssize_t kn;
    int seen = 0, more = open_container(p, '{', '}');
    while (more > 0) {
        if (plain_key(p, &k, &kn)) return BAIL;
        if (IS(k, kn, "data")) {
            ONCE(seen, 1);
            int traces = open_container(p, '[', ']');
            while (traces > 0) {
                if (parse_trace(p, out)) return BAIL;
                traces = next_member(p, ']');
            }
            if (traces < 0) return BAIL;
        } else if (skip_value(p, 1)) {
            return BAIL;
        }
        more = next_member(p, '}');
    }
    skip_ws(p);
    return more == 0 && seen && p->p == p->end ? 0 : BAIL;
}

/* ---- module ------------------------------------------------------------------------------ */

static PyObject *read_jaeger(PyObject *module, PyObject *data) {
    if (!SpanType || !PyBytes_Check(data)) Py_RETURN_NONE;
    Parser p = {0};
    p.p = (cursor)PyBytes_AS_STRING(data);
    p.end = p.p + PyBytes_GET_SIZE(data);
    PyObject *out = PyList_New(0);
    if (!out) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    int rc = parse_document(&p, out);
    names_free(&p.names);
    names_free(&p.values);
    free(p.scratch);
    free(p.recs);
    if (rc) {
        Py_DECREF(out);
        PyErr_Clear(); /* whatever went wrong, the general path reads it again and says so */
        Py_RETURN_NONE;
    }
    return out;
}

static PyObject *configure(PyObject *module, PyObject *args) {
    PyObject *span_type, *kind_names, *unspecified, *status_unset, *child_of, *span_status,
        *typed_value, *trace_key, *log_event;
    if (!PyArg_ParseTuple(args, "OO!UUUOOOO", &span_type, &PyDict_Type, &kind_names,
                          &unspecified, &status_unset, &child_of, &span_status, &typed_value,
                          &trace_key, &log_event))
        return NULL;
    Py_XSETREF(SpanType, Py_NewRef(span_type));
    Py_XSETREF(KindNames, Py_NewRef(kind_names));
    Py_XSETREF(Unspecified, Py_NewRef(unspecified));
    Py_XSETREF(StatusUnset, Py_NewRef(status_unset));
    Py_XSETREF(ChildOf, Py_NewRef(child_of));
    Py_XSETREF(SpanStatus, Py_NewRef(span_status));
    Py_XSETREF(TypedValue, Py_NewRef(typed_value));
    Py_XSETREF(TraceKey, Py_NewRef(trace_key));
    Py_XSETREF(LogEvent, Py_NewRef(log_event));
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"configure", configure, METH_VARARGS,
     "configure(Span, KIND_NAMES, UNSPECIFIED, STATUS_UNSET, CHILD_OF, span_status, typed_value, "
     "trace_key, log_event): the model and rules the reader builds with."},
    {"read", read_jaeger, METH_O,
     "read(data: bytes) -> list[Span] | None: the spans of every trace, each trace's in (start, "
     "span id) order; None when the input is outside the shape this reader takes."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_jaeger_native",
    "Jaeger query-API JSON read in C, for the shape nearly every export has.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__jaeger_native(void) {
    KeySpanKind = PyUnicode_InternFromString("span.kind");
    KeyError = PyUnicode_InternFromString("error");
    KeyStatusCode = PyUnicode_InternFromString("otel.status_code");
    KeyStatusDescription = PyUnicode_InternFromString("otel.status_description");
    EmptyText = PyUnicode_New(0, 127);
    EmptyTuple = PyTuple_New(0);
    if (!KeySpanKind || !KeyError || !KeyStatusCode || !KeyStatusDescription || !EmptyText
        || !EmptyTuple)
        return NULL;
    for (int i = 0; i < 5; i++)
        if (!(TypeNames[i] = PyUnicode_InternFromString(TypeSpelling[i]))) return NULL;
    return PyModule_Create(&module_def);
}

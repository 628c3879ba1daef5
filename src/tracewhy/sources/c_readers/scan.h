/* What every reader here shares: the JSON scanner, the tables, the span records and the loop that
 * builds spans from them (module.c includes this file, then one file per format).
 *
 * Why a reader in C: reading a big trace through msgspec builds the whole document in file
 * order, then the spans from it in file order, and every later pass reads them in time order, out
 * of cache (benchmarks/README.md, stop 13).  These readers scan the bytes once, keep each span's
 * scalars in a compact record, sort the records by (trace, start, span id), and only then build
 * the Python objects, in that order.
 *
 * What they take is what the typed readers' plain-span builders take; for anything else - or
 * anything they are not sure of: invalid JSON, invalid UTF-8, escaped keys, repeated fields,
 * deep nesting, numbers outside int64 - they return None and the caller takes the general path,
 * which has every rule and repair.  They never raise.
 *
 * Safety: the input is untrusted.  Every read is bounds-checked against `end`; nesting is capped
 * at MAX_DEPTH; tables grow by doubling with overflow checks.
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
static PyObject *SpanType, *StatusUnset, *ChildOf, *EmptyText, *EmptyTuple;

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
    /* OTLP, Zipkin */
    cursor status;        /* the status object's '{', or NULL */
    cursor remote;        /* Zipkin: the remote endpoint's '{', or NULL */
    PyObject *service;    /* Zipkin: the local endpoint's service and address, borrowed */
    PyObject *address;
    PyObject *kind_object; /* Zipkin: the kind, borrowed */
    PyObject *scope;      /* the scope's name, borrowed from Names (NULL: none) */
    PyObject *block;      /* (service, resource) of the span's resourceSpans, borrowed */
    uint32_t rank;        /* the trace's rank, by first appearance (Jaeger: 0) */
    uint32_t pos;
    uint8_t has_parent;
    uint8_t kind;         /* OTLP: the kind's number */
    uint8_t shared;       /* Zipkin: the server half of a shared span id */
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

/* A time or timestamp: an integer (int64). */
static int time_value(Parser *p, int64_t *out) {
    int kind;
    double dv;
    if (scan_number(p, &kind, out, &dv) || kind != NUM_INT) return BAIL;
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

/* A canonical span id: 16 lower-case hex digits, not all zero. */
static int hex_id(cursor s, Py_ssize_t n, uint64_t *out) {
    if (n != 16) return BAIL;
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

static int span_id(Parser *p, uint64_t *out) {
    cursor s;
    Py_ssize_t n;
    int flags;
    return scan_string(p, &s, &n, &flags) || hex_id(s, n, out) ? BAIL : 0;
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

static int by_time(const void *a, const void *b) {
    const Rec *x = a, *y = b;
    if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    if (x->id != y->id) return x->id < y->id ? -1 : 1; /* 16 hex digits: text order */
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int has_key(PyObject *dict, PyObject *key) { return PyDict_GetItemWithError(dict, key) != NULL; }

typedef PyObject *(*SpanBuilder)(Parser *, const Rec *, Ids *, PyObject *, PyObject *);

/* The records' spans, built in (trace, start, span id) order and appended to `out`. */
static int build_spans(Parser *p, SpanBuilder build, PyObject *traces, PyObject *context,
                       PyObject *out) {
    if (p->n_recs) qsort(p->recs, p->n_recs, sizeof(Rec), by_time);
    Ids ids = {0};
    if (ids_init(&ids, p->n_recs)) return BAIL;
    cursor resume = p->p; /* building reads the tags again, from wherever they are */
    int rc = 0;
    for (size_t i = 0; i < p->n_recs && !rc; i++) {
        PyObject *span = build(p, &p->recs[i], &ids, traces, context);
        rc = !span || PyList_Append(out, span) ? BAIL : 0;
        Py_XDECREF(span);
    }
    ids_free(&ids);
    p->p = resume;
    return rc;
}

/* Per document, for formats whose every span names its trace (OTLP, Zipkin): trace ids in order
 * of first appearance, each checked once by HexTraceKey (canonical hex, not zero). */
static PyObject *HexTraceKey;

typedef struct {
    PyObject *ranks;  /* raw trace id -> rank */
    PyObject *traces; /* rank -> canonical trace id */
    PyObject *keep;   /* objects the records borrow (OTLP: each resource's (service, resource)) */
} Doc;

static int trace_rank(Parser *p, Doc *doc, cursor s, Py_ssize_t n, int flags, uint32_t *out) {
    PyObject *raw = name_text(p, s, n, flags), *rank;
    if (!raw) return BAIL;
    if ((rank = PyDict_GetItemWithError(doc->ranks, raw))) {
        *out = (uint32_t)PyLong_AsUnsignedLong(rank);
        return 0;
    }
    PyObject *canonical = PyErr_Occurred() ? NULL : PyObject_CallOneArg(HexTraceKey, raw);
    if (!canonical || !PyUnicode_CheckExact(canonical)) { /* None: not a canonical hex id */
        Py_XDECREF(canonical);
        return BAIL;
    }
    Py_ssize_t next = PyList_GET_SIZE(doc->traces);
    PyObject *number = PyLong_FromSsize_t(next);
    int rc = !number || PyList_Append(doc->traces, canonical)
             || PyDict_SetItem(doc->ranks, raw, number) ? BAIL : 0;
    Py_XDECREF(number);
    Py_DECREF(canonical);
    *out = (uint32_t)next;
    return rc;
}

/* The end of a read: the parser's tables freed, and `out` (stolen) returned, or None when the
 * read failed (`rc`) - whatever went wrong, the general path reads the input again and says so. */
static PyObject *finish(Parser *p, int rc, PyObject *out) {
    names_free(&p->names);
    names_free(&p->values);
    free(p->scratch);
    free(p->recs);
    if (rc) {
        Py_XDECREF(out);
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    return out;
}

typedef int (*DocumentParser)(Parser *, Doc *, int variant);

/* A whole document of a format whose spans name their trace: parsed by `parse` into records,
 * then built by `build` in (trace, start, span id) order, given `context` (borrowed, may be
 * NULL).  New reference, or None. */
static PyObject *read_document(const char *data, Py_ssize_t size, DocumentParser parse,
                               int variant, SpanBuilder build, PyObject *context) {
    Parser p = {0};
    p.p = (cursor)data;
    p.end = p.p + size;
    Doc doc = {PyDict_New(), PyList_New(0), PyList_New(0)};
    PyObject *out = PyList_New(0);
    int rc = !doc.ranks || !doc.traces || !doc.keep || !out;
    if (!rc) rc = parse(&p, &doc, variant);
    if (!rc) {
        skip_ws(&p);
        rc = p.p != p.end;
    }
    if (!rc) rc = build_spans(&p, build, doc.traces, context, out);
    Py_XDECREF(doc.ranks);
    Py_XDECREF(doc.traces);
    Py_XDECREF(doc.keep);
    return finish(&p, rc, out);
}

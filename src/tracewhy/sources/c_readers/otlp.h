/* ---- OTLP/JSON ----------------------------------------------------------------------------
 *
 * The spans `typed._PlainOtlpSpans.build` makes, plus events: canonical hex ids, an integer
 * kind, times as integers or decimal strings, no links. */

static PyObject *OtlpKinds, *StatusOf, *BytesAsHex, *EventType;
static PyObject *KeyScopeName, *KeyServiceName;

static int64_t floor_div(int64_t a, int64_t b) { /* Python's //, for b > 0 */
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* An integer, or a string of ASCII digits (with a '-' when `sign_ok`): OTLP's int64 in JSON. */
static int int_or_text(Parser *p, int64_t *out, int sign_ok) {
    if (peek(p) != '"') {
        int kind;
        double dv;
        return scan_number(p, &kind, out, &dv) || kind != NUM_INT ? BAIL : 0;
    }
    cursor s;
    Py_ssize_t n, i = 0;
    int flags, negative = 0;
    if (scan_string(p, &s, &n, &flags) || flags || n == 0) return BAIL;
    if (sign_ok && s[0] == '-') {
        negative = i = 1;
        if (n == 1) return BAIL;
    }
    uint64_t v = 0;
    for (; i < n; i++) {
        unsigned digit = (unsigned)(s[i] - '0');
        if (digit > 9 || v > (UINT64_MAX - digit) / 10) return BAIL;
        v = v * 10 + digit;
    }
    if (negative ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX) return BAIL;
    *out = negative ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

enum { V_STRING, V_INT, V_DOUBLE, V_BOOL, V_BYTES, V_ARRAY, V_KVLIST, V_FIELDS };
static const char *ValueFields[V_FIELDS] = {"stringValue", "intValue", "doubleValue", "boolValue",
                                            "bytesValue", "arrayValue", "kvlistValue"};

#define MAX_VALUE_DEPTH 32 /* nested values, as otlp.MAX_VALUE_DEPTH: deeper is repaired */

static int any_value(Parser *p, PyObject **out, int depth);
static int parse_key_values(Parser *p, PyObject *into, int depth, PyObject *keys);

/* {"values": [...]} of an arrayValue (a list) or a kvlistValue (a dict). */
static int nested_value(Parser *p, int field, PyObject **out, int depth) {
    PyObject *made = NULL, *item;
    if (out && !(made = field == V_ARRAY ? PyList_New(0) : PyDict_New())) return BAIL;
    cursor k;
    Py_ssize_t kn;
    int seen = 0, more = open_container(p, '{', '}');
    while (more > 0) {
        if (plain_key(p, &k, &kn)) goto fail;
        if (IS(k, kn, "values")) {
            if (seen++) goto fail;
            if (field == V_KVLIST) {
                if (parse_key_values(p, made, depth + 1, NULL)) goto fail;
            } else {
                int items = open_container(p, '[', ']');
                while (items > 0) {
                    item = NULL;
                    if (peek(p) == 'n' || any_value(p, made ? &item : NULL, depth + 1)) goto fail;
                    int rc = item && PyList_Append(made, item);
                    Py_XDECREF(item);
                    if (rc) goto fail;
                    items = next_member(p, ']');
                }
                if (items < 0) goto fail;
            }
        } else if (skip_value(p, 1)) {
            goto fail;
        }
        more = next_member(p, '}');
    }
    if (more < 0) goto fail;
    if (out) *out = made;
    return 0;
fail:
    Py_XDECREF(made);
    return BAIL;
}

/* One field of an AnyValue, checked (out NULL) or made (new reference in *out). */
static int value_field(Parser *p, int field, PyObject **out, int depth) {
    int64_t iv;
    double dv;
    int kind;
    cursor s;
    Py_ssize_t n;
    int flags;
    switch (field) {
        case V_STRING:
            if (peek(p) != '"') return BAIL;
            if (!out) return scan_string(p, &s, &n, &flags);
            return (*out = scalar_value(p)) ? 0 : BAIL;
        case V_INT:
            if (int_or_text(p, &iv, 1)) return BAIL;
            return !out || (*out = PyLong_FromLongLong(iv)) ? 0 : BAIL;
        case V_DOUBLE: /* a JSON integer is a double too, as the decoder reads it */
            if (peek(p) == '"' || scan_number(p, &kind, &iv, &dv)) return BAIL;
            return !out || (*out = PyFloat_FromDouble(kind == NUM_INT ? (double)iv : dv)) ? 0 : BAIL;
        case V_BOOL:
            if (peek(p) == 't') {
                if (literal(p, "true")) return BAIL;
                if (out) *out = Py_NewRef(Py_True);
                return 0;
            }
            if (literal(p, "false")) return BAIL;
            if (out) *out = Py_NewRef(Py_False);
            return 0;
        case V_BYTES: {
            if (scan_string(p, &s, &n, &flags)) return BAIL;
            if (!out) return 0;
            PyObject *text = make_text(p, s, n, flags);
            *out = text ? PyObject_CallOneArg(BytesAsHex, text) : NULL;
            Py_XDECREF(text);
            return *out ? 0 : BAIL;
        }
        default: return nested_value(p, field, out, depth);
    }
}

/* {"stringValue": ...} and its siblings, which admit no other field; the first one set wins. */
static int any_value(Parser *p, PyObject **out, int depth) {
    if (depth >= MAX_VALUE_DEPTH) return BAIL;
    cursor at[V_FIELDS] = {0}, k;
    Py_ssize_t kn;
    int seen = 0, more = open_container(p, '{', '}');
    while (more > 0) {
        int field;
        if (plain_key(p, &k, &kn)) return BAIL;
        for (field = 0; field < V_FIELDS; field++)
            if (kn == (Py_ssize_t)strlen(ValueFields[field])
                && memcmp(k, ValueFields[field], (size_t)kn) == 0)
                break;
        if (field == V_FIELDS) return BAIL; /* an unknown field (snake_case): the tolerant path */
        ONCE(seen, 1 << field);
        if (peek(p) == 'n') {
            if (literal(p, "null")) return BAIL;
        } else {
            at[field] = p->p;
            if (value_field(p, field, NULL, depth)) return BAIL;
        }
        more = next_member(p, '}');
    }
    if (more < 0) return BAIL;
    if (!out) return 0;
    for (int field = 0; field < V_FIELDS; field++) {
        if (!at[field]) continue;
        cursor after = p->p;
        p->p = at[field];
        int rc = value_field(p, field, out, depth);
        p->p = after;
        return rc;
    }
    *out = Py_NewRef(Py_None); /* no field set */
    return 0;
}

/* The key a span attribute is kept under (new reference), or None: `keys` is a KeptKeys
 * (common.py), which asks its `keep` once per distinct key. */
static PyObject *kept_key(PyObject *keys, PyObject *key) {
    PyObject *kept = PyDict_GetItemWithError(keys, key);
    if (kept) return Py_NewRef(kept);
    return PyErr_Occurred() ? NULL : PyObject_GetItem(keys, key); /* __missing__ decides */
}

/* [{"key", "value"}...]; with `into`, each pair is added to that dict.  `depth`: of the values,
 * 0 for attributes.  `keys`: which attributes to keep (NULL: all). */
static int parse_key_values(Parser *p, PyObject *into, int depth, PyObject *keys) {
    int more = open_container(p, '[', ']');
    while (more > 0) {
        cursor k, key_s = NULL, value_at = NULL;
        Py_ssize_t kn, key_n = 0;
        int key_flags = 0, seen = 0, inner = open_container(p, '{', '}');
        while (inner > 0) {
            if (plain_key(p, &k, &kn)) return BAIL;
            if (IS(k, kn, "key")) {
                ONCE(seen, 1);
                if (scan_string(p, &key_s, &key_n, &key_flags)) return BAIL;
            } else if (IS(k, kn, "value")) {
                ONCE(seen, 2);
                if (peek(p) == 'n') {
                    if (literal(p, "null")) return BAIL;
                } else {
                    value_at = p->p;
                    if (any_value(p, NULL, depth)) return BAIL;
                }
            } else if (skip_value(p, 1)) {
                return BAIL;
            }
            inner = next_member(p, '}');
        }
        if (inner < 0 || !(seen & 1)) return BAIL;
        if (into) {
            PyObject *key = name_text(p, key_s, key_n, key_flags), *value = NULL;
            if (!key) return BAIL;
            if (keys) {
                PyObject *kept = kept_key(keys, key);
                if (!kept) return BAIL;
                Py_DECREF(kept); /* interned by KeptKeys, and held there */
                if (kept == Py_None) {
                    more = next_member(p, ']');
                    continue;
                }
                key = kept;
            }
            if (value_at) {
                cursor after = p->p;
                p->p = value_at;
                int rc = any_value(p, &value, depth);
                p->p = after;
                if (rc) return BAIL;
            } else {
                value = Py_NewRef(Py_None);
            }
            int rc = PyDict_SetItem(into, key, value);
            Py_DECREF(value);
            if (rc) return BAIL;
        }
        more = next_member(p, ']');
    }
    return more < 0 ? BAIL : 0;
}

/* A span's events: how many (or BAIL); with `events`, each Event is appended to that list. */
static int parse_events(Parser *p, PyObject *events) {
    int count = 0, more = open_container(p, '[', ']');
    while (more > 0) {
        cursor k, attributes_at = NULL, name_s = NULL;
        Py_ssize_t kn, name_n = 0;
        int64_t time = 0;
        int name_flags = 0, seen = 0, inner = open_container(p, '{', '}');
        while (inner > 0) {
            if (plain_key(p, &k, &kn)) return BAIL;
            if (IS(k, kn, "timeUnixNano")) {
                ONCE(seen, 1);
                if (int_or_text(p, &time, 1)) return BAIL;
            } else if (IS(k, kn, "name")) {
                ONCE(seen, 2);
                if (scan_string(p, &name_s, &name_n, &name_flags)) return BAIL;
            } else if (IS(k, kn, "attributes")) {
                ONCE(seen, 4);
                skip_ws(p);
                attributes_at = p->p;
                if (parse_key_values(p, NULL, 0, NULL)) return BAIL;
            } else if (skip_value(p, 1)) {
                return BAIL;
            }
            inner = next_member(p, '}');
        }
        if (inner < 0) return BAIL;
        count++;
        if (events) {
            cursor after = p->p;
            PyObject *attributes = PyDict_New(), *name = NULL, *at = NULL, *event = NULL;
            p->p = attributes_at;
            if (attributes && (!attributes_at || !parse_key_values(p, attributes, 0, NULL))
                && (name = name_s ? make_text(p, name_s, name_n, name_flags) : Py_NewRef(EmptyText))
                && (at = PyLong_FromLongLong(floor_div(time, 1000))))
                event = PyObject_CallFunctionObjArgs(EventType, at, name, attributes, NULL);
            p->p = after;
            int rc = event && !PyList_Append(events, event) ? 0 : BAIL;
            Py_XDECREF(attributes);
            Py_XDECREF(name);
            Py_XDECREF(at);
            Py_XDECREF(event);
            if (rc) return BAIL;
        }
        more = next_member(p, ']');
    }
    return more < 0 ? BAIL : count;
}

/* {"code", "message"}: checked (out NULL), or made into (status, message) by status_of; *out is
 * NULL when neither is set (the common case: unset, ""). */
static int parse_status(Parser *p, PyObject **out) {
    cursor k, code_at = NULL, message_at = NULL, s;
    Py_ssize_t kn, n;
    int flags, kind, seen = 0, more = open_container(p, '{', '}');
    int64_t iv;
    double dv;
    while (more > 0) {
        if (plain_key(p, &k, &kn)) return BAIL;
        int is_code = IS(k, kn, "code"), is_message = IS(k, kn, "message");
        if (is_code || is_message) {
            ONCE(seen, is_code ? 1 : 2);
            if (peek(p) == 'n') {
                if (literal(p, "null")) return BAIL;
            } else {
                if (is_code) code_at = p->p;
                else message_at = p->p;
                if (peek(p) == '"' ? scan_string(p, &s, &n, &flags)
                                   : is_message || scan_number(p, &kind, &iv, &dv) || kind != NUM_INT)
                    return BAIL;
            }
        } else if (skip_value(p, 1)) {
            return BAIL;
        }
        more = next_member(p, '}');
    }
    if (more < 0) return BAIL;
    if (!out) return 0;
    *out = NULL;
    if (!code_at && !message_at) return 0;
    cursor after = p->p;
    PyObject *code = Py_NewRef(Py_None), *message = Py_NewRef(Py_None);
    if (code_at) {
        p->p = code_at;
        Py_SETREF(code, scalar_value(p));
    }
    if (message_at && code) {
        p->p = message_at;
        Py_SETREF(message, scalar_value(p));
    }
    p->p = after;
    if (code && message) *out = PyObject_CallFunctionObjArgs(StatusOf, code, message, NULL);
    Py_XDECREF(code);
    Py_XDECREF(message);
    return *out ? 0 : BAIL;
}

enum {
    O_TRACE = 1, O_ID = 2, O_PARENT = 4, O_NAME = 8, O_KIND = 16, O_START = 32, O_END = 64,
    O_ATTRIBUTES = 128, O_EVENTS = 256, O_LINKS = 512, O_STATUS = 1024,
};

static int parse_otlp_span(Parser *p, Doc *doc) {
    Rec r = {0};
    r.name = EmptyText;
    r.pos = (uint32_t)p->n_recs;
    cursor k, s;
    Py_ssize_t kn, n;
    int64_t start = 0, end = 0, kind = -1;
    int flags, seen = 0, more = open_container(p, '{', '}');
    while (more > 0) {
        if (plain_key(p, &k, &kn)) return BAIL;
        if (IS(k, kn, "traceId")) {
            ONCE(seen, O_TRACE);
            if (scan_string(p, &s, &n, &flags) || trace_rank(p, doc, s, n, flags, &r.rank))
                return BAIL;
        } else if (IS(k, kn, "spanId")) {
            ONCE(seen, O_ID);
            if (span_id(p, &r.id)) return BAIL;
        } else if (IS(k, kn, "parentSpanId")) {
            ONCE(seen, O_PARENT);
            if (scan_string(p, &s, &n, &flags)) return BAIL;
            if (n && hex_id(s, n, &r.parent)) return BAIL;
            r.has_parent = n > 0;
        } else if (IS(k, kn, "name")) {
            ONCE(seen, O_NAME);
            if (scan_string(p, &s, &n, &flags) || !(r.name = name_text(p, s, n, flags)))
                return BAIL;
        } else if (IS(k, kn, "kind")) {
            ONCE(seen, O_KIND);
            double dv;
            int number;
            if (peek(p) == '"' || scan_number(p, &number, &kind, &dv) || number != NUM_INT
                || kind < 0 || kind >= PyTuple_GET_SIZE(OtlpKinds))
                return BAIL;
        } else if (IS(k, kn, "startTimeUnixNano")) {
            ONCE(seen, O_START);
            if (int_or_text(p, &start, 0)) return BAIL;
        } else if (IS(k, kn, "endTimeUnixNano")) {
            ONCE(seen, O_END);
            if (int_or_text(p, &end, 0)) return BAIL;
        } else if (IS(k, kn, "attributes")) {
            ONCE(seen, O_ATTRIBUTES);
            skip_ws(p);
            r.tags = p->p;
            if (parse_key_values(p, NULL, 0, NULL)) return BAIL;
        } else if (IS(k, kn, "events")) {
            ONCE(seen, O_EVENTS);
            skip_ws(p);
            r.logs = p->p;
            int count = parse_events(p, NULL);
            if (count < 0) return BAIL;
            if (!count) r.logs = NULL;
        } else if (IS(k, kn, "links")) {
            ONCE(seen, O_LINKS);
            if (open_container(p, '[', ']') != 0) return BAIL; /* links: the msgspec path */
        } else if (IS(k, kn, "status")) {
            ONCE(seen, O_STATUS);
            if (peek(p) == 'n') {
                if (literal(p, "null")) return BAIL;
            } else {
                r.status = p->p;
                if (parse_status(p, NULL)) return BAIL;
            }
        } else if (skip_value(p, 1)) {
            return BAIL;
        }
        more = next_member(p, '}');
    }
    /* a missing or zero time leaves the span to the general path's repairs */
    if (more < 0 || !(seen & O_TRACE) || !(seen & O_ID) || kind < 0 || !start || !end)
        return BAIL;
    r.kind = (uint8_t)kind;
    r.start = floor_div(start, 1000);
    r.duration = floor_div(end, 1000) - r.start;
    return add_record(p, &r);
}

/* {"scope": {"name"}, "spans": [...]}: the spans' records, then their scope's name. */
static int parse_scope_spans(Parser *p, Doc *doc) {
    cursor k, s;
    Py_ssize_t kn, n;
    size_t first = p->n_recs;
    PyObject *scope = NULL;
    int flags, seen = 0, more = open_container(p, '{', '}');
    while (more > 0) {
        if (plain_key(p, &k, &kn)) return BAIL;
        if (IS(k, kn, "scope")) {
            ONCE(seen, 1);
            if (peek(p) == 'n') {
                if (literal(p, "null")) return BAIL;
            } else {
                int inner = open_container(p, '{', '}'), named = 0;
                while (inner > 0) {
                    if (plain_key(p, &k, &kn)) return BAIL;
                    if (IS(k, kn, "name")) {
                        if (named++ || scan_string(p, &s, &n, &flags)) return BAIL;
                        if (n && !(scope = name_text(p, s, n, flags))) return BAIL;
                    } else if (skip_value(p, 1)) {
                        return BAIL;
                    }
                    inner = next_member(p, '}');
                }
                if (inner < 0) return BAIL;
            }
        } else if (IS(k, kn, "spans")) {
            ONCE(seen, 2);
            int spans = open_container(p, '[', ']');
            while (spans > 0) {
                if (parse_otlp_span(p, doc)) return BAIL;
                spans = next_member(p, ']');
            }
            if (spans < 0) return BAIL;
        } else if (skip_value(p, 1)) {
            return BAIL;
        }
        more = next_member(p, '}');
    }
    for (size_t i = first; i < p->n_recs; i++) p->recs[i].scope = scope;
    return more < 0 ? BAIL : 0;
}

/* The service a resource names: service.name as text (as_text), "" when absent. */
static PyObject *service_of(PyObject *resource) {
    PyObject *name = PyDict_GetItemWithError(resource, KeyServiceName);
    if (!name) return PyErr_Occurred() ? NULL : Py_NewRef(EmptyText);
    if (name == Py_None) return Py_NewRef(EmptyText);
    return PyUnicode_CheckExact(name) ? Py_NewRef(name) : PyObject_Str(name);
}

/* {"resource": {"attributes"}, "scopeSpans": [...]}: records, then their (service, resource). */
static int parse_resource_spans(Parser *p, Doc *doc) {
    cursor k;
    Py_ssize_t kn;
    size_t first = p->n_recs;
    PyObject *resource = PyDict_New(), *service = NULL, *block = NULL;
    int seen = 0, rc = BAIL, more = open_container(p, '{', '}');
    if (!resource) return BAIL;
    while (more > 0) {
        if (plain_key(p, &k, &kn)) goto done;
        if (IS(k, kn, "resource")) {
            if (seen & 1) goto done;
            seen |= 1;
            if (peek(p) == 'n') {
                if (literal(p, "null")) goto done;
            } else {
                int inner = open_container(p, '{', '}'), listed = 0;
                while (inner > 0) {
                    if (plain_key(p, &k, &kn)) goto done;
                    if (IS(k, kn, "attributes")) {
                        if (listed++ || parse_key_values(p, resource, 0, NULL)) goto done;
                    } else if (skip_value(p, 1)) {
                        goto done;
                    }
                    inner = next_member(p, '}');
                }
                if (inner < 0) goto done;
            }
        } else if (IS(k, kn, "scopeSpans")) {
            if (seen & 2) goto done;
            seen |= 2;
            int blocks = open_container(p, '[', ']');
            while (blocks > 0) {
                if (parse_scope_spans(p, doc)) goto done;
                blocks = next_member(p, ']');
            }
            if (blocks < 0) goto done;
        } else if (IS(k, kn, "instrumentationLibrarySpans")) {
            if (seen & 4) goto done;
            seen |= 4;
            skip_ws(p);
            if (literal(p, "null")) goto done; /* the old name: the tolerant path */
        } else if (skip_value(p, 1)) {
            goto done;
        }
        more = next_member(p, '}');
    }
    if (more < 0 || !(service = service_of(resource))
        || !(block = PyTuple_Pack(2, service, resource)) || PyList_Append(doc->keep, block))
        goto done;
    for (size_t i = first; i < p->n_recs; i++) p->recs[i].block = block; /* the list holds it */
    rc = 0;
done:
    Py_DECREF(resource);
    Py_XDECREF(service);
    Py_XDECREF(block);
    return rc;
}

static PyObject *build_otlp_span(Parser *p, const Rec *r, Ids *ids, PyObject *traces,
                                 PyObject *keys) {
    PyObject *span_id = id_text(ids, r->id);
    PyObject *parent = r->has_parent ? id_text(ids, r->parent) : Py_None;
    if (!span_id || !parent) return NULL;
    PyObject *attributes = PyDict_New(), *status = NULL, *start = NULL, *duration = NULL;
    PyObject *span = NULL, *events = NULL;
    if (!attributes) return NULL;
    if (r->tags) {
        p->p = r->tags;
        if (parse_key_values(p, attributes, 0, keys)) goto done;
    }
    if (r->scope && !PyDict_SetDefault(attributes, KeyScopeName, r->scope)) goto done;
    if (r->logs) {
        PyObject *found = PyList_New(0);
        p->p = r->logs;
        if (found && parse_events(p, found) >= 0) events = PyList_AsTuple(found);
        Py_XDECREF(found);
        if (!events) goto done;
    }
    if (r->status) {
        p->p = r->status;
        if (parse_status(p, &status)) goto done;
        if (status && (!PyTuple_CheckExact(status) || PyTuple_GET_SIZE(status) != 2)) goto done;
    }
    if (!(start = PyLong_FromLongLong(r->start)) || !(duration = PyLong_FromLongLong(r->duration)))
        goto done;
    PyObject *args[15] = {
        PyList_GET_ITEM(traces, r->rank), span_id, parent, PyTuple_GET_ITEM(r->block, 0), r->name,
        PyTuple_GET_ITEM(OtlpKinds, r->kind), start, duration,
        status ? PyTuple_GET_ITEM(status, 0) : StatusUnset,
        status ? PyTuple_GET_ITEM(status, 1) : EmptyText,
        attributes, PyTuple_GET_ITEM(r->block, 1), events ? events : EmptyTuple, EmptyTuple,
        ChildOf,
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

/* {"resourceSpans": [...]}, or wrapped as Jaeger's api_v3 returns it: {"result": {...}}. */
static int parse_otlp_document(Parser *p, Doc *doc, int wrapped) {
    cursor k;
    Py_ssize_t kn;
    int seen = 0, more = open_container(p, '{', '}');
    while (more > 0) {
        if (plain_key(p, &k, &kn)) return BAIL;
        if (wrapped && IS(k, kn, "result")) {
            ONCE(seen, 1);
            if (parse_otlp_document(p, doc, 0)) return BAIL;
        } else if (!wrapped && IS(k, kn, "resourceSpans")) {
            ONCE(seen, 1);
            int blocks = open_container(p, '[', ']');
            while (blocks > 0) {
                if (parse_resource_spans(p, doc)) return BAIL;
                blocks = next_member(p, ']');
            }
            if (blocks < 0) return BAIL;
        } else if (skip_value(p, 1)) {
            return BAIL;
        }
        more = next_member(p, '}');
    }
    return more == 0 && seen ? 0 : BAIL;
}

static PyObject *read_otlp(PyObject *module, PyObject *args) {
    const char *data;
    Py_ssize_t size;
    int wrapped;
    PyObject *keys;
    if (!OtlpKinds || !PyArg_ParseTuple(args, "y#pO", &data, &size, &wrapped, &keys)
        || (keys != Py_None && !PyDict_Check(keys))) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    return read_document(data, size, parse_otlp_document, wrapped, build_otlp_span,
                         keys == Py_None ? NULL : keys);
}

static PyObject *configure_otlp(PyObject *module, PyObject *args) {
    PyObject *kinds, *trace_key, *status_of, *bytes_as_hex, *event_type;
    if (!PyArg_ParseTuple(args, "O!OOOO", &PyTuple_Type, &kinds, &trace_key, &status_of,
                          &bytes_as_hex, &event_type))
        return NULL;
    Py_XSETREF(OtlpKinds, Py_NewRef(kinds));
    Py_XSETREF(HexTraceKey, Py_NewRef(trace_key));
    Py_XSETREF(StatusOf, Py_NewRef(status_of));
    Py_XSETREF(BytesAsHex, Py_NewRef(bytes_as_hex));
    Py_XSETREF(EventType, Py_NewRef(event_type));
    Py_RETURN_NONE;
}


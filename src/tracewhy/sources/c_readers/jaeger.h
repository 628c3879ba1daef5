/* Jaeger query-API JSON: exactly the spans `typed._PlainSpans.build` makes (same classes, same
 * values), plus logs as the general builder turns them into events, for input where that
 * builder would take every span: canonical 16-hex span ids, one CHILD_OF reference or none,
 * integer times, no inline process, no warnings, tags with scalar values. */

static PyObject *KindNames, *Unspecified;
static PyObject *SpanStatus, *TypedValue, *TraceKey, *LogEvent;
static PyObject *KeySpanKind, *KeyError, *KeyStatusCode, *KeyStatusDescription;
static PyObject *TypeNames[5]; /* "string", "bool", "int64", "float64", "binary" */
static const char *TypeSpelling[5] = {"string", "bool", "int64", "float64", "binary"};

/* ---- tags -------------------------------------------------------------------------------- */


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
    rc = build_spans(p, build_span, trace_id, processes, out);
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

static PyObject *read_jaeger(PyObject *module, PyObject *data) {
    if (!SpanType || !PyBytes_Check(data)) Py_RETURN_NONE;
    Parser p = {0};
    p.p = (cursor)PyBytes_AS_STRING(data);
    p.end = p.p + PyBytes_GET_SIZE(data);
    PyObject *out = PyList_New(0);
    return finish(&p, out ? parse_document(&p, out) : BAIL, out);
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


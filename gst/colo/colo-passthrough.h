/* gst-colo
 * Copyright (C) 2026 gst-colo developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Per-flow passthrough rules: flows whose output is never deterministic
 * (remote desktops, protocols that embed time or random nonces) are
 * forwarded from the primary uncompared and dropped from the secondary
 * (docs/design.md, "Passthrough rules").  GLib only.
 *
 * Grammar (also in the element's documentation):
 *
 *   RULES := "" | RULE ( "," RULE )*          blanks around items ignored
 *   RULE  := PROTO [ ":" PORTS [ ":" PORTS ] ]
 *   PROTO := "tcp" | "udp" | "sctp" | "udplite" | "icmp" | "icmpv6"
 *            | a protocol number 0..255 | "*" (every IP protocol)
 *   PORTS := "*" | PORT | PORT "-" PORT       PORT: 0..65535
 *
 * PROTO alone matches every flow of that protocol; PROTO:P a flow with a
 * port in P at either end (the guest's server port is the source of its
 * output, a client's the destination); PROTO:S:D a flow from a port in S
 * to a port in D, in the direction the guests send.  Ports only go with
 * protocols that have them (tcp, udp, sctp, udplite). */

#ifndef __COLO_PASSTHROUGH_H__
#define __COLO_PASSTHROUGH_H__

#include <glib.h>
#include "colo-flow.h"

G_BEGIN_DECLS

typedef struct _ColoPassthrough ColoPassthrough;

#define COLO_PASSTHROUGH_ERROR (colo_passthrough_error_quark ())
GQuark colo_passthrough_error_quark (void);

/* Parses rules; NULL with error set (naming the bad rule) when they do not
 * follow the grammar.  An empty or blank string gives an empty rule set. */
ColoPassthrough *colo_passthrough_parse (const char *rules, GError ** error);
void colo_passthrough_free (ColoPassthrough * pt);

/* Whether the rule set holds no rule (NULL counts as empty). */
gboolean colo_passthrough_is_empty (const ColoPassthrough * pt);

/* Whether key's flow is to be passed through (NULL: no rule). */
gboolean colo_passthrough_matches (const ColoPassthrough * pt,
    const ColoConnKey * key);

G_END_DECLS

#endif /* __COLO_PASSTHROUGH_H__ */

extension CatalogMigration {
    /// Version 3: the security audit log (issue 15, item 5), copied from the mesh's Redis audit
    /// stream by `AuditCatalogCopier`. The stream entry id is the key, so a copy that runs twice
    /// (two nodes, or a retry after a failed commit) inserts each record once; its two numbers
    /// give the stream's order.
    static let securityAuditLog = CatalogMigration(
        version: 3, name: "security audit log",
        statements: [
            """
            CREATE TABLE security_audit_log (
                stream_id text PRIMARY KEY,
                stream_ms bigint NOT NULL,
                stream_seq bigint NOT NULL,
                at timestamptz NOT NULL,
                actor text NOT NULL,
                kid text NOT NULL,
                action text NOT NULL,
                target text NOT NULL,
                client text NOT NULL,
                request_id text NOT NULL,
                result text NOT NULL,
                node text NOT NULL
            )
            """,
            "CREATE INDEX security_audit_log_order ON security_audit_log (stream_ms, stream_seq)",
            "CREATE INDEX security_audit_log_actor ON security_audit_log (actor, at)",
        ])
}

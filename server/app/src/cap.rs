//! Advisories as CAP 1.2 (OASIS Common Alerting Protocol) messages.
//!
//! Owns the mapping from a domain advisory to a CAP `alert`: one `info` per language (ar, en),
//! an `area` with outer rings as `polygon`s (CAP writes `lat,lon`; GeoJSON writes `lon,lat`),
//! times with a numeric offset and no fractions (the schema's pattern refuses `Z`). Each version
//! of an advisory is its own message: version 1 an `Alert`, later ones `Update`, a withdrawal a
//! `Cancel`, each `references` every earlier one. CAP polygons have no holes: a hole in an
//! advisory's area is dropped here, so the CAP area can only be larger than the real one.

use std::fmt::Write as _;

use opsroom_domain::advisory::{Advisory, AdvisoryKind, Severity};

use crate::xml::escape;

/// The identifier of one version of an advisory (no spaces, commas or reserved characters).
pub fn identifier(advisory: &Advisory) -> String {
    format!("opsroom-{}-v{}", advisory.advisory_id, advisory.version)
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Extreme => "Extreme",
        Severity::Severe => "Severe",
        Severity::Moderate => "Moderate",
        Severity::Minor => "Minor",
        Severity::Unknown => "Unknown",
    }
}

/// CAP's `event` text for an advisory's kind, `(ar, en)`.
fn event_words(kind: AdvisoryKind) -> (&'static str, &'static str) {
    match kind {
        AdvisoryKind::Instruction => ("تعليمات رسمية", "Official instruction"),
        AdvisoryKind::RumourRebuttal => ("تصحيح شائعة", "Rumour rebuttal"),
        AdvisoryKind::Information => ("معلومات رسمية", "Official information"),
    }
}

/// Render `advisory`; `earlier` are its previous versions (oldest first) for `references`.
pub fn render(advisory: &Advisory, earlier: &[Advisory], sender: &str) -> String {
    let msg_type = match (advisory.withdrawn, advisory.version) {
        (true, _) => "Cancel",
        (false, 1) => "Alert",
        (false, _) => "Update",
    };
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n");
    let _ = writeln!(xml, "  <identifier>{}</identifier>", escape(&identifier(advisory)));
    let _ = writeln!(xml, "  <sender>{}</sender>", escape(sender));
    let _ = writeln!(xml, "  <sent>{}</sent>", advisory.updated_at.to_rfc3339_seconds_offset());
    xml.push_str("  <status>Actual</status>\n");
    let _ = writeln!(xml, "  <msgType>{msg_type}</msgType>");
    xml.push_str("  <scope>Public</scope>\n");
    if !earlier.is_empty() {
        let references: Vec<String> = earlier
            .iter()
            .map(|e| format!("{sender},{},{}", identifier(e), e.updated_at.to_rfc3339_seconds_offset()))
            .collect();
        let _ = writeln!(xml, "  <references>{}</references>", escape(&references.join(" ")));
    }
    let content = &advisory.content;
    let (event_ar, event_en) = event_words(content.kind);
    let urgency = if content.kind == AdvisoryKind::Instruction { "Immediate" } else { "Expected" };
    let area_desc = match &content.area {
        None => ("جميع المناطق المتأثرة", "All affected areas"),
        Some(_) => ("المنطقة التي حددتها غرفة العمليات", "Area set by the operations room"),
    };
    let polygons: Vec<String> = content
        .area
        .as_ref()
        .map(|area| {
            area.outlines()
                .iter()
                .map(|ring| ring.iter().map(|[lon, lat]| format!("{lat},{lon}")).collect::<Vec<_>>().join(" "))
                .collect()
        })
        .unwrap_or_default();
    for (language, event, headline, body, instruction, desc) in [
        (
            "ar",
            event_ar,
            &content.headline.ar,
            &content.body.ar,
            content.instruction.as_ref().map(|i| &i.ar),
            area_desc.0,
        ),
        (
            "en",
            event_en,
            &content.headline.en,
            &content.body.en,
            content.instruction.as_ref().map(|i| &i.en),
            area_desc.1,
        ),
    ] {
        xml.push_str("  <info>\n");
        let _ = writeln!(xml, "    <language>{language}</language>");
        xml.push_str("    <category>Safety</category>\n");
        let _ = writeln!(xml, "    <event>{}</event>", escape(event));
        let _ = writeln!(xml, "    <urgency>{urgency}</urgency>");
        let _ = writeln!(xml, "    <severity>{}</severity>", severity(content.severity));
        xml.push_str("    <certainty>Observed</certainty>\n");
        if let Some(expires) = content.expires_at {
            let _ = writeln!(xml, "    <expires>{}</expires>", expires.to_rfc3339_seconds_offset());
        }
        let _ = writeln!(xml, "    <headline>{}</headline>", escape(headline));
        let _ = writeln!(xml, "    <description>{}</description>", escape(body));
        if let Some(instruction) = instruction {
            let _ = writeln!(xml, "    <instruction>{}</instruction>", escape(instruction));
        }
        xml.push_str("    <area>\n");
        let _ = writeln!(xml, "      <areaDesc>{}</areaDesc>", escape(desc));
        for polygon in &polygons {
            let _ = writeln!(xml, "      <polygon>{polygon}</polygon>");
        }
        xml.push_str("    </area>\n");
        xml.push_str("  </info>\n");
    }
    xml.push_str("</alert>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;
    use opsroom_domain::advisory::{AdvisoryContent, Area, Bilingual};
    use opsroom_domain::clock::Timestamp;
    use uuid::Uuid;

    fn advisory() -> Advisory {
        let area = Area::from_geojson(&serde_json::json!({"type": "Polygon", "coordinates": [[
            [37.1, 19.5], [37.3, 19.5], [37.3, 19.7], [37.1, 19.5]
        ]]}))
        .unwrap();
        let content = AdvisoryContent {
            kind: AdvisoryKind::RumourRebuttal,
            severity: Severity::Severe,
            headline: Bilingual {
                ar: "لا رسوم على مقاعد الإجلاء".into(), en: "No fee for evacuation seats".into()
            },
            body: Bilingual {
                ar: "المقاعد مجانية".into(), en: "Seats are free <always> & for everyone".into()
            },
            instruction: None,
            area: Some(area),
            expires_at: Some(Timestamp(1_682_000_000_500)),
            crisis_id: None,
        };
        Advisory::publish(Uuid::from_u128(7), content, Uuid::nil(), Timestamp(1_681_900_000_250))
    }

    #[test]
    fn writes_lat_lon_offsets_and_escapes() {
        let xml = render(&advisory(), &[], "ops@example.org");
        assert!(xml.contains("<polygon>19.5,37.1 19.5,37.3 19.7,37.3 19.5,37.1</polygon>"), "{xml}");
        assert!(xml.contains("<sent>2023-04-19T10:26:40+00:00</sent>"), "{xml}");
        assert!(xml.contains("&lt;always&gt; &amp; for"));
        assert!(xml.contains("<msgType>Alert</msgType>"));
        assert_eq!(xml.matches("<info>").count(), 2);
    }

    #[test]
    fn later_versions_reference_the_earlier_ones() {
        let v1 = advisory();
        let v2 = v1.withdraw(Uuid::nil(), Timestamp(1_681_950_000_000)).unwrap();
        let xml = render(&v2, std::slice::from_ref(&v1), "ops@example.org");
        assert!(xml.contains("<msgType>Cancel</msgType>"));
        let reference =
            format!("<references>ops@example.org,{},2023-04-19T10:26:40+00:00</references>", identifier(&v1));
        assert!(xml.contains(&reference), "{xml}");
    }
}

//! `colaunch --probe`: what this kernel and build support.

use colaunch::Probe;

/// The probe as aligned text: a label, a value, and how it was found out.
pub(crate) fn text(probe: &Probe) -> String {
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let mut rows: Vec<(&str, String, String)> = vec![
        ("os", probe.os.to_owned(), String::new()),
        ("arch", probe.arch.to_owned(), String::new()),
        ("purecap", yes_no(probe.purecap).to_owned(), String::new()),
    ];
    for feature in &probe.features {
        rows.push((
            feature.name,
            yes_no(feature.available).to_owned(),
            feature.detail.clone(),
        ));
    }
    rows.push(match &probe.auto_mechanism {
        Ok(mechanism) => ("auto mechanism", mechanism.name().to_owned(), String::new()),
        Err(why) => ("auto mechanism", "none".to_owned(), why.clone()),
    });
    let shared = probe.shared_address_space.map_or("unknown", yes_no);
    rows.push(("shared address space", shared.to_owned(), String::new()));

    let label_width = rows
        .iter()
        .map(|(label, _, _)| label.len())
        .max()
        .unwrap_or(0);
    // Only values followed by a detail need padding.
    let value_width = rows
        .iter()
        .filter(|(_, _, detail)| !detail.is_empty())
        .map(|(_, value, _)| value.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (label, value, detail) in rows {
        let line = format!("{label:label_width$}  {value:value_width$}  {detail}");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

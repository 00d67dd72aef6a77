//! A movement's manifest: CSV for the border and the carrier, and a printable page (Arabic
//! right to left by default).

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};
use opsroom_domain::clock::{RoomTimeZone, Timestamp};
use opsroom_domain::evacuation::manifest::{self, Aboard, PassengerClass, Travelling};
use opsroom_domain::evacuation::movement::{Mode, Movement, PassengerStatus};
use opsroom_domain::evacuation::place::Place;
use opsroom_domain::partner::view::{CSV_BOM, push_csv_row};
use opsroom_domain::wire_name;
use opsroom_store::ManifestLine;
use uuid::Uuid;

use crate::auth::Operator;
use crate::http::csv_attachment;
use crate::http::error::ApiError;
use crate::http::extract::UuidPath;
use crate::http::pages::asset_url;
use crate::state::AppState;
use crate::wire::{ErrorBody, ManifestQuery};

/// Whether a name is written in Arabic script.
fn is_arabic(name: &str) -> bool {
    name.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

/// A manifest line's name in the column of its script: (Arabic, Latin).
fn names(line: &ManifestLine) -> (String, String) {
    let name = line.person.details.name.as_ref().map(|n| n.as_str().to_owned()).unwrap_or_default();
    if is_arabic(&name) { (name, String::new()) } else { (String::new(), name) }
}

fn sex_of(line: &ManifestLine) -> String {
    line.person.details.sex.map(wire_name).unwrap_or_default()
}

/// The people a manifest lists: those holding a seat on the movement (not the ones who gave it
/// back or did not show up).
fn on_board(lines: &[ManifestLine]) -> impl Iterator<Item = &ManifestLine> {
    lines.iter().filter(|l| l.status.holds_seat())
}

/// The passengers holding a seat, each with its class and escorts (the domain's
/// `manifest::classify`), in the sheet's order.
fn classified(lines: &[ManifestLine]) -> Vec<(&ManifestLine, Travelling)> {
    let passengers: Vec<&ManifestLine> = on_board(lines).collect();
    let aboard: Vec<Aboard> = passengers
        .iter()
        .map(|l| Aboard {
            person_id: l.person.person_id,
            case_id: l.case_id,
            age: l.person.details.age,
            needs: l.needs.clone(),
            flags: l.flags.clone(),
        })
        .collect();
    passengers.into_iter().zip(manifest::classify(&aboard)).collect()
}

/// A local time of the room for a sheet read by people: `2023-04-25 06:30 (UTC+02:00)`.
fn local_time(zone: &RoomTimeZone, at: Timestamp) -> String {
    let local = zone.local_rfc3339(at); // 2023-04-25T06:30:00+02:00
    match (local.get(..10), local.get(11..16), local.get(19..)) {
        (Some(day), Some(time), Some(offset)) => format!("{day} {time} (UTC{offset})"),
        _ => local,
    }
}

/// The name a passenger is listed under, in any script (for an escort's cell).
fn listed_name(line: &ManifestLine) -> String {
    let (arabic, latin) = names(line);
    if arabic.is_empty() { latin } else { arabic }
}

/// A movement's manifest as CSV (operators): UTF-8 with a byte order mark, one row per
/// passenger holding a seat, built from the log, with the fields border authorities and the
/// Foreign Ministry ask for, each passenger's class and a child's escorts (their names and
/// person ids; none for an unaccompanied child).
#[utoipa::path(get, path = "/api/v1/movements/{movement_id}/manifest.csv", tag = "evacuation",
    params(("movement_id" = Uuid, Path)),
    security(("session" = [])),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = ErrorBody)))]
pub async fn get_manifest_csv(
    State(app): State<AppState>,
    _operator: Operator,
    UuidPath(movement_id): UuidPath,
) -> Result<Response, ApiError> {
    let (movement, lines) = app.store.manifest(movement_id).await?.ok_or(ApiError::NotFound)?;
    let passengers = classified(&lines);
    let by_person: HashMap<Uuid, &ManifestLine> = passengers.iter().map(|(l, _)| (l.person.person_id, *l)).collect();
    let mut csv = String::from(CSV_BOM);
    push_csv_row(
        &mut csv,
        &[
            "reference",
            "name_ar",
            "name_latin",
            "passport",
            "age",
            "sex",
            "class",
            "escort_names",
            "escort_person_ids",
            "status",
            "case_id",
            "person_id",
        ],
    );
    for (line, travelling) in &passengers {
        let (arabic, latin) = names(line);
        let d = &line.person.details;
        let escorts: Vec<&ManifestLine> =
            travelling.escorts.iter().filter_map(|id| by_person.get(id).copied()).collect();
        let cells = [
            line.reference.clone(),
            arabic,
            latin,
            d.passport.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default(),
            d.age.map(|a| a.to_string()).unwrap_or_default(),
            sex_of(line),
            travelling.class.as_str().to_owned(),
            escorts.iter().map(|e| listed_name(e)).collect::<Vec<_>>().join(";"),
            escorts.iter().map(|e| e.person.person_id.to_string()).collect::<Vec<_>>().join(";"),
            wire_name(line.status),
            line.case_id.to_string(),
            line.person.person_id.to_string(),
        ];
        push_csv_row(&mut csv, &cells);
    }
    Ok(csv_attachment(&format!("manifest-{}.csv", movement.movement_id), csv))
}

/// The printable manifest page (operators), in Arabic (right to left, the default) or English.
pub async fn get_manifest_page(
    State(app): State<AppState>,
    _operator: Operator,
    UuidPath(movement_id): UuidPath,
    Query(query): Query<ManifestQuery>,
) -> Result<Response, ApiError> {
    let english = query.lang.as_deref() == Some("en");
    let (movement, lines) = app.store.manifest(movement_id).await?.ok_or(ApiError::NotFound)?;
    let places = app.store.places().await?;
    let printed_at = Timestamp(app.now_ms());
    let page = manifest_page(&movement, &places, &lines, &app.config.time_zone, printed_at, english);
    let response = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page.into_string()).into_response();
    Ok(crate::http::pages::with_csp(&app, response))
}

fn manifest_page(
    movement: &Movement,
    places: &[Place],
    lines: &[ManifestLine],
    zone: &RoomTimeZone,
    printed_at: Timestamp,
    english: bool,
) -> Markup {
    let t = |en: &'static str, ar: &'static str| if english { en } else { ar };
    let place_name = |id: Uuid| {
        places.iter().find(|p| p.place_id == id).map(|p| if english { p.name.en.clone() } else { p.name.ar.clone() })
    };
    let mode = match (movement.mode, english) {
        (Mode::Bus, true) => "Bus",
        (Mode::Bus, false) => "حافلة",
        (Mode::Flight, true) => "Flight",
        (Mode::Flight, false) => "رحلة جوية",
        (Mode::Ship, true) => "Ship",
        (Mode::Ship, false) => "سفينة",
        (Mode::Train, true) => "Train",
        (Mode::Train, false) => "قطار",
    };
    let class_word = |class: PassengerClass| if english { class.words().0 } else { class.words().1 };
    let passengers = classified(lines);
    let number_of: HashMap<Uuid, usize> =
        passengers.iter().enumerate().map(|(i, (l, _))| (l.person.person_id, i + 1)).collect();
    let by_person: HashMap<Uuid, &ManifestLine> = passengers.iter().map(|(l, _)| (l.person.person_id, *l)).collect();
    let travelling: Vec<Travelling> = passengers.iter().map(|(_, t)| t.clone()).collect();
    let totals = manifest::totals(&travelling);
    html! {
        (DOCTYPE)
        html lang=(t("en", "ar")) dir=(t("ltr", "rtl")) {
            head {
                meta charset="utf-8";
                link rel="icon" href="data:,";
                title { (t("Manifest", "كشف الركاب")) " — " (movement.label_in(english)) }
                link rel="stylesheet" href=(asset_url("/ops/manifest.css"));
            }
            body {
                header {
                    h1 { (t("Passenger manifest", "كشف الركاب")) }
                    a.lang href=(format!("?lang={}", t("ar", "en"))) { (t("العربية", "English")) }
                }
                dl.movement {
                    dt { (t("Movement", "الرحلة")) }
                    dd.label {
                        bdi lang=(t("en", "ar")) { (movement.label_in(english)) }
                        @if let Some(other) = movement.label_other(english) {
                            " / " bdi.other-language lang=(t("ar", "en")) { (other) }
                        }
                        " (" (mode) ")"
                    }
                    dt { (t("From", "من")) } dd { bdi { (place_name(movement.origin_place_id).unwrap_or_default()) } }
                    dt { (t("To", "إلى")) } dd { bdi { (place_name(movement.destination_place_id).unwrap_or_default()) } }
                    dt { (t("Planned departure", "موعد المغادرة المخطط")) }
                    dd.departure { bdi dir="ltr" { (local_time(zone, movement.departure_at)) } " " bdi dir="ltr" { (zone.name()) } }
                    dt { (t("Passengers / seats", "الركاب / المقاعد")) }
                    dd { bdi dir="ltr" { (passengers.len()) " / " (movement.seats) } }
                    dt { (t("Printed", "طُبع في")) }
                    dd.printed-at { bdi dir="ltr" { (local_time(zone, printed_at)) } }
                }
                table.totals {
                    caption { (t("Passengers by class", "الركاب حسب الفئة")) }
                    tbody {
                        @for (class, n) in &totals {
                            tr data-class=(class.as_str()) class=[(*class == PassengerClass::UnaccompaniedChild && *n > 0).then_some("alert")] {
                                th scope="row" { (class_word(*class)) } td { (n) }
                            }
                        }
                        tr.all { th scope="row" { (t("All passengers", "كل الركاب")) } td { (passengers.len()) } }
                    }
                }
                table.passengers {
                    thead { tr {
                        th { "#" }
                        th { (t("Reference", "المرجع")) }
                        th { (t("Name (Arabic)", "الاسم بالعربية")) }
                        th { (t("Name (Latin)", "الاسم بالحروف اللاتينية")) }
                        th { (t("Passport", "رقم الجواز")) }
                        th { (t("Age", "العمر")) }
                        th { (t("Sex", "الجنس")) }
                        th { (t("Class", "الفئة")) }
                        th { (t("Escort", "المرافق")) }
                        th { (t("Status", "الحالة")) }
                        th.boarded { (t("Boarded", "صعد")) }
                        th.signature { (t("Signature", "التوقيع")) }
                    } }
                    tbody {
                        @for (i, (line, travelling)) in passengers.iter().enumerate() {
                            @let (arabic, latin) = names(line);
                            @let unaccompanied = travelling.class == PassengerClass::UnaccompaniedChild;
                            tr data-class=(travelling.class.as_str()) class=[unaccompanied.then_some("alert")] {
                                td { (i + 1) }
                                td { bdi dir="ltr" { (line.reference) } }
                                td lang="ar" dir="rtl" { (arabic) }
                                td lang="en" dir="ltr" { (latin) }
                                td { bdi dir="ltr" { (line.person.details.passport.as_ref().map(|p| p.as_str()).unwrap_or("")) } }
                                td { (line.person.details.age.map(|a| a.to_string()).unwrap_or_default()) }
                                td { (sex_word(&sex_of(line), english)) }
                                td.class { (class_word(travelling.class)) }
                                td.escort {
                                    @if unaccompanied {
                                        strong { (t("No adult of the family on board", "لا يرافقه بالغ من أسرته")) }
                                    } @else {
                                        @for (k, escort) in travelling.escorts.iter().enumerate() {
                                            @if k > 0 { "، " }
                                            bdi dir="ltr" { "#" (number_of.get(escort).copied().unwrap_or_default()) } " "
                                            bdi { (by_person.get(escort).map(|e| listed_name(e)).unwrap_or_default()) }
                                        }
                                    }
                                }
                                td { (passenger_word(line.status, english)) }
                                td.boarded { span.tick role="img" aria-label=(t("boarded: tick by hand", "صعد: ضع علامة باليد")) {} }
                                td.signature {}
                            }
                        }
                    }
                }
                @if passengers.is_empty() { p { (t("No passengers yet.", "لا يوجد ركاب بعد.")) } }
                section.sign-off {
                    div { (t("Boarded, counted:", "عدد من صعدوا:")) span.blank {} }
                    div { (t("Escort officer — name and signature:", "مسؤول المرافقة — الاسم والتوقيع:")) span.blank {} }
                    div { (t("Driver or captain — name and signature:", "السائق أو القائد — الاسم والتوقيع:")) span.blank {} }
                    div { (t("Border officer — signature and stamp:", "ضابط الحدود — التوقيع والختم:")) span.blank {} }
                }
                footer { p { (t(
                    "Generated from the operations room's log: every line is a recorded change. Times are the room's local time.",
                    "أُعدّ من سجل غرفة العمليات: كل سطر تغيير مسجّل. الأوقات بالتوقيت المحلي لغرفة العمليات."
                )) } }
            }
        }
    }
}

fn sex_word(sex: &str, english: bool) -> &'static str {
    match (sex, english) {
        ("female", true) => "F",
        ("female", false) => "أنثى",
        ("male", true) => "M",
        ("male", false) => "ذكر",
        _ => "",
    }
}

fn passenger_word(status: PassengerStatus, english: bool) -> &'static str {
    use PassengerStatus as P;
    match (status, english) {
        (P::Waiting, true) => "waiting",
        (P::Waiting, false) => "في الانتظار",
        (P::Assigned, true) => "seat assigned",
        (P::Assigned, false) => "خُصص له مقعد",
        (P::Boarded, true) => "boarded",
        (P::Boarded, false) => "صعد",
        (P::Departed, true) => "departed",
        (P::Departed, false) => "غادر",
        (P::Crossed, true) => "crossed the border",
        (P::Crossed, false) => "عبر الحدود",
        (P::ArrivedHome, true) => "arrived home",
        (P::ArrivedHome, false) => "وصل إلى الوطن",
        (P::NoShow, true) => "did not show up",
        (P::NoShow, false) => "لم يحضر",
    }
}

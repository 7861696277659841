//! The clinic part of `cargo xtask bench`: 100,000 patients and 1,000,000 appointments loaded by
//! `server seed-load`, and GET scenarios of patient search and the appointment lists, each
//! expecting the total that the load counted as it wrote (the `clinic facts:` line it prints).
//! Every clinic read also writes its audit entry: that is the product's rule, and part of what is
//! measured.

use crate::Result;

pub const PATIENTS: &str = "100000";
pub const APPOINTMENTS: &str = "1000000";

/// The totals `seed-load` printed: `key=value` pairs, values being `N`, `what:N` or
/// `what:more:N`.
pub struct Facts {
    pairs: Vec<(String, Vec<String>)>,
}

impl Facts {
    /// Reads the `clinic facts:` line of `seed-load`'s output.
    pub fn parse(output: &str) -> Result<Self> {
        let line = output
            .lines()
            .find_map(|l| l.strip_prefix("clinic facts: "))
            .ok_or_else(|| format!("seed-load printed no clinic facts:\n{output}"))?;
        let pairs = line
            .split_whitespace()
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.split(':').map(str::to_owned).collect()))
            .collect();
        Ok(Facts { pairs })
    }

    /// The parts of `key`'s value.
    fn get(&self, key: &str) -> Result<&[String]> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_slice())
            .ok_or_else(|| format!("the clinic facts have no {key}"))
    }

    /// Part `i` of `key`'s value.
    fn part(&self, key: &str, i: usize) -> Result<&str> {
        self.get(key)?
            .get(i)
            .map(String::as_str)
            .ok_or_else(|| format!("the clinic fact {key} has no part {i}"))
    }

    /// The staff id of the doctor the facts count, for the clinic token's subject too.
    pub fn doctor(&self) -> Result<&str> {
        self.part("doctor", 0)
    }
}

/// One clinic scenario: its name, path (with its query) and the total its answer must show.
pub struct ClinicScenario {
    pub name: String,
    pub path: String,
    pub expect: String,
}

/// The clinic's scenarios, from what the load wrote.
pub fn scenarios(f: &Facts) -> Result<Vec<ClinicScenario>> {
    let total = |n: &str| format!(r#""total":{n}}}"#);
    let (search, found) = (f.part("search", 0)?, f.part("search", 1)?);
    let (day, on_day) = (f.part("day", 0)?, f.part("day", 1)?);
    let (patient, of_patient) = (f.part("patient", 0)?, f.part("patient", 1)?);
    let doctor_day = f.part("doctor", 1)?;
    let (status, in_status) = (f.part("status", 0)?, f.part("status", 1)?);
    let patients = f.part("patients", 0)?;
    Ok(vec![
        ClinicScenario {
            name: format!("GET /api/patients/search q={search} ({found})"),
            path: format!("/api/patients/search?q={search}"),
            expect: total(found),
        },
        ClinicScenario {
            name: format!("GET /api/patients page 1 (all {patients})"),
            path: "/api/patients?page=1".into(),
            expect: total(patients),
        },
        ClinicScenario {
            name: format!("GET /api/appointments date=today ({on_day})"),
            path: format!("/api/appointments?date={day}"),
            expect: total(on_day),
        },
        ClinicScenario {
            name: format!("GET /api/appointments patient_id ({of_patient})"),
            path: format!("/api/appointments?patient_id={patient}"),
            expect: total(of_patient),
        },
        ClinicScenario {
            name: format!("GET /api/appointments doctor+date ({doctor_day})"),
            path: format!("/api/appointments?doctor={}&date={day}", f.doctor()?),
            expect: total(doctor_day),
        },
        ClinicScenario {
            name: format!("GET /api/appointments status={status} ({in_status})"),
            path: format!("/api/appointments?status={status}"),
            expect: total(in_status),
        },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_become_scenarios() {
        let out = "clinic load data: 2 patients\nclinic facts: patients=2000 appointments=20000 search=hadd:39 day=2026-11-30:27 patient=p-1:10 doctor=d-1:14 status=cancelled:1401\n";
        let facts = Facts::parse(out).unwrap();
        assert_eq!(facts.doctor().unwrap(), "d-1");
        let s = scenarios(&facts).unwrap();
        assert_eq!(s[0].path, "/api/patients/search?q=hadd");
        assert_eq!(s[0].expect, r#""total":39}"#);
        assert_eq!(s[4].path, "/api/appointments?doctor=d-1&date=2026-11-30");
        assert_eq!(s[4].expect, r#""total":14}"#);
        assert!(Facts::parse("nothing").is_err());
    }
}

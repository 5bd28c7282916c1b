//! Reads what the local gateway needs from `template.yaml`: every HTTP API
//! route, the function that owns it, and the throttling settings.

use std::collections::BTreeMap;
use std::path::Path;

use serde_yaml::Value;

/// A route as API Gateway declares it: `"METHOD /path"`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    /// Upper-case HTTP method (or `ANY`).
    pub method: String,
    /// Path template, e.g. `/api/users/{id}`.
    pub path: String,
    /// Logical id of the owning function, e.g. `AuthFunction`.
    pub function: String,
}

impl Route {
    /// The route key, as in `RouteSettings` and `routeKey`.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// Path parameters if `path` matches this route's template.
    pub fn match_path(&self, path: &str) -> Option<BTreeMap<String, String>> {
        let mut params = BTreeMap::new();
        let mut actual = path.trim_start_matches('/').split('/');
        let template: Vec<&str> = self.path.trim_start_matches('/').split('/').collect();
        for (index, segment) in template.iter().enumerate() {
            if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix("+}")) {
                // Greedy `{proxy+}` takes the rest; it must be last.
                let rest: Vec<&str> = actual.by_ref().collect();
                if index != template.len() - 1 || rest.is_empty() || rest == [""] {
                    return None;
                }
                params.insert(name.to_owned(), rest.join("/"));
                return Some(params);
            }
            let part = actual.next()?;
            if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                if part.is_empty() {
                    return None;
                }
                params.insert(name.to_owned(), part.to_owned());
            } else if *segment != part {
                return None;
            }
        }
        actual.next().is_none().then_some(params)
    }
}

/// Throttling as API Gateway applies it per route: a token bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Throttle {
    /// Steady requests per second.
    pub rate: f64,
    /// Bucket size.
    pub burst: f64,
}

/// What the gateway takes from the template.
#[derive(Debug, Clone)]
pub struct HttpApi {
    /// Every route of every function, sorted.
    pub routes: Vec<Route>,
    /// `DefaultRouteSettings`.
    pub default_throttle: Option<Throttle>,
    /// `RouteSettings`, by route key.
    pub route_throttles: BTreeMap<String, Throttle>,
}

/// The template could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// Reading the file failed.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The template path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The YAML is malformed.
    #[error("template is not valid YAML: {0}")]
    Yaml(#[from] serde_yaml::Error),
    /// Something the gateway needs is missing or odd.
    #[error("template: {0}")]
    Shape(String),
}

impl HttpApi {
    /// Reads `path`.
    pub fn from_file(path: &Path) -> Result<Self, TemplateError> {
        let text = std::fs::read_to_string(path).map_err(|source| TemplateError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_yaml(&text)
    }

    /// Parses template text. CloudFormation short tags (`!Ref` …) parse as
    /// tagged values and are simply not looked into.
    pub fn from_yaml(text: &str) -> Result<Self, TemplateError> {
        let root: Value = serde_yaml::from_str(text)?;
        let resources = root
            .get("Resources")
            .and_then(Value::as_mapping)
            .ok_or_else(|| TemplateError::Shape("no Resources".into()))?;
        let mut routes = Vec::new();
        let mut default_throttle = None;
        let mut route_throttles = BTreeMap::new();
        for (name, resource) in resources {
            let name = name.as_str().unwrap_or_default();
            let kind = resource
                .get("Type")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let properties = resource.get("Properties");
            match kind {
                "AWS::Serverless::Function" => {
                    let events = properties
                        .and_then(|p| p.get("Events"))
                        .and_then(Value::as_mapping);
                    for event in events.into_iter().flat_map(|e| e.values()) {
                        if event.get("Type").and_then(Value::as_str) != Some("HttpApi") {
                            continue;
                        }
                        let props = event.get("Properties");
                        let field = |key: &str| {
                            props
                                .and_then(|p| p.get(key))
                                .and_then(Value::as_str)
                                .map(str::to_owned)
                        };
                        let (Some(method), Some(path)) = (field("Method"), field("Path")) else {
                            return Err(TemplateError::Shape(format!(
                                "{name}: an HttpApi event needs Method and Path"
                            )));
                        };
                        routes.push(Route {
                            method: method.to_uppercase(),
                            path,
                            function: name.to_owned(),
                        });
                    }
                }
                "AWS::Serverless::HttpApi" => {
                    default_throttle = properties
                        .and_then(|p| p.get("DefaultRouteSettings"))
                        .and_then(throttle);
                    if let Some(settings) = properties
                        .and_then(|p| p.get("RouteSettings"))
                        .and_then(Value::as_mapping)
                    {
                        for (key, value) in settings {
                            if let (Some(key), Some(t)) = (key.as_str(), throttle(value)) {
                                route_throttles.insert(key.to_owned(), t);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        routes.sort();
        Ok(Self {
            routes,
            default_throttle,
            route_throttles,
        })
    }

    /// The throttle API Gateway applies to `route`.
    pub fn throttle_for(&self, route: &Route) -> Option<Throttle> {
        self.route_throttles
            .get(&route.key())
            .copied()
            .or(self.default_throttle)
    }

    /// The route serving `method path`: exact routes win over parameterised
    /// ones, as in API Gateway.
    pub fn find(&self, method: &str, path: &str) -> Option<(&Route, BTreeMap<String, String>)> {
        let mut best: Option<(&Route, BTreeMap<String, String>)> = None;
        for route in &self.routes {
            if route.method != method && route.method != "ANY" {
                continue;
            }
            if let Some(params) = route.match_path(path) {
                let better = match &best {
                    None => true,
                    Some((current, current_params)) => {
                        params.len() < current_params.len()
                            || (params.len() == current_params.len()
                                && current.method == "ANY"
                                && route.method != "ANY")
                    }
                };
                if better {
                    best = Some((route, params));
                }
            }
        }
        best
    }
}

fn throttle(value: &Value) -> Option<Throttle> {
    let number = |key: &str| value.get(key).and_then(Value::as_f64);
    Some(Throttle {
        rate: number("ThrottlingRateLimit")?,
        burst: number("ThrottlingBurstLimit")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefaultRouteSettings: { ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100 }
      RouteSettings:
        "POST /api/auth/login": { ThrottlingBurstLimit: 40, ThrottlingRateLimit: 20 }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Environment: { Variables: { TABLE: !Ref Table } }
      Events:
        Login: { Type: HttpApi, Properties: { ApiId: !Ref Api, Method: post, Path: /api/auth/login } }
        One: { Type: HttpApi, Properties: { ApiId: !Ref Api, Method: GET, Path: "/api/users/{id}" } }
        Search: { Type: HttpApi, Properties: { ApiId: !Ref Api, Method: GET, Path: /api/users/search } }
        Proxy: { Type: HttpApi, Properties: { ApiId: !Ref Api, Method: ANY, Path: "/api/files/{proxy+}" } }
"#;

    #[test]
    fn routes_throttles_and_matching() {
        let api = HttpApi::from_yaml(TEMPLATE).unwrap();
        assert_eq!(api.routes.len(), 4);
        let (route, _) = api.find("POST", "/api/auth/login").unwrap();
        assert_eq!(api.throttle_for(route).unwrap().rate, 20.0);
        let (route, _) = api.find("GET", "/api/users/search").unwrap();
        assert_eq!(route.path, "/api/users/search", "exact beats parameter");
        assert_eq!(api.throttle_for(route).unwrap().rate, 100.0);
        let (route, params) = api.find("GET", "/api/users/01ABC").unwrap();
        assert_eq!(
            (route.path.as_str(), params["id"].as_str()),
            ("/api/users/{id}", "01ABC")
        );
        let (_, params) = api.find("DELETE", "/api/files/a/b.txt").unwrap();
        assert_eq!(params["proxy"], "a/b.txt");
        assert!(api.find("GET", "/api/auth/login").is_none());
        assert!(api.find("GET", "/api/users/").is_none());
        assert!(api.find("GET", "/api/users/a/b").is_none());
    }
}

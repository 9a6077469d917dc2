// The mock provider outputs live with the offline engine; tests import them from here.
export * from "../../plan/mocks";
